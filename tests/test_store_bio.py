"""Speaker bios in the store: a new column, and a version-1 database migrated in place."""

from __future__ import annotations

import sqlite3

from explorer.domain import Corpus, Meetup, Talk
from explorer.store import SCHEMA_VERSION, Store

V1_TALKS = """CREATE TABLE meetups (key TEXT PRIMARY KEY, number INTEGER, title TEXT NOT NULL,
    date TEXT, venue TEXT, meetup_url TEXT, source_path TEXT);
CREATE TABLE talks (id TEXT PRIMARY KEY, meetup_key TEXT NOT NULL REFERENCES meetups(key),
    position INTEGER NOT NULL, title TEXT NOT NULL, speakers TEXT NOT NULL,
    affiliations TEXT NOT NULL, abstract TEXT NOT NULL, slides_url TEXT, video_url TEXT,
    kind TEXT NOT NULL);
INSERT INTO meetups VALUES ('7', 7, 'Seventh', '2016-12-01', NULL, NULL, NULL);
INSERT INTO talks VALUES ('m7-kelp', '7', 0, 'Kelp', '["Ada Berg"]', '[]', 'About kelp.', NULL,
    NULL, 'talk');
PRAGMA user_version = 1;
"""


def test_a_version_1_database_gains_the_bio_column_and_keeps_its_talks(tmp_path):
    conn = sqlite3.connect(tmp_path / "explorer.sqlite")
    conn.executescript(V1_TALKS)
    conn.close()
    store = Store.open(tmp_path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    (talk,) = store.talks()
    assert (talk.id, talk.abstract, talk.bio) == ("m7-kelp", "About kelp.", "")


def test_bio_round_trips_and_is_in_the_talk_records(tmp_path):
    store = Store.open(tmp_path)
    store.replace_corpus(Corpus([Meetup("7", 7, "Seventh", "2016-12-01")],
                                [Talk("m7-kelp", "7", "Kelp", ["Ada Berg"], abstract="Kelp.",
                                      bio="Ada dives.")]))
    assert store.talks()[0].bio == "Ada dives."
    (record,) = store.talk_records()
    assert record["bio"] == "Ada dives." and record["abstract"] == "Kelp."
