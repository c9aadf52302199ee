"""The reading list: what a save holds and its rules (fields.py), what an import will do (plan.py), and
its files (formats/). Pure: no SQL, no Flask; the store reads and writes, this decides and shapes."""
