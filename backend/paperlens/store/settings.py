"""The reader's settings the library keeps (by name, JSON values): today the tag that seeds "for you"."""

from __future__ import annotations

import json

FOR_YOU_SEED_TAG = "for_you_seed_tag"


class Settings:
    """Mixed into Store."""

    def get_setting(self, name: str, default=None):
        """A setting's value (any JSON value), or `default` when it was never set."""
        row = self._conn().execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return default if row is None else json.loads(row[0])

    def for_you_seed(self) -> dict:
        """{"tag": the seed tag or None (all saved papers), "papers": how many saved papers seed for_you}."""
        tag = self.get_setting(FOR_YOU_SEED_TAG)
        return {"tag": tag, "papers": self.count_saved(tag=tag) if tag else self.count_saved()}

    def set_for_you_seed(self, tag: str | None) -> dict | None:
        """Seed for_you with the saved papers tagged `tag` (normalized), or with all saved papers (None).
        Returns `for_you_seed()`, or None (nothing written) when no saved paper has the tag."""
        with self.transaction() as conn:
            if tag is None:
                conn.execute("DELETE FROM settings WHERE name = ?", (FOR_YOU_SEED_TAG,))
            else:
                if self.count_saved(tag=tag) == 0:
                    return None
                conn.execute(
                    "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    (FOR_YOU_SEED_TAG, json.dumps(tag)),
                )
        return self.for_you_seed()

    def seed_ids(self) -> set[str]:
        """The ids of the saved papers that seed for_you: those with the seed tag, or every saved one."""
        tag = self.get_setting(FOR_YOU_SEED_TAG)
        if not tag:
            return self.saved_ids()
        rows = self._conn().execute(
            "SELECT paper_id FROM saved WHERE EXISTS (SELECT 1 FROM json_each(saved.tags) WHERE json_each.value = ?)",
            (tag,),
        )
        return {r[0] for r in rows}
