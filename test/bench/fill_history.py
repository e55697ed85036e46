"""Adds N finished jobs to a jobsched database (made by the server, so with its schema).

    python3 fill_history.py DBFILE N
"""
import sqlite3
import sys

path, count = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
db.execute("BEGIN")
db.execute(
    """
    WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
    INSERT INTO jobs (name, grp, command, status, returncode, sync, outlog, errlog, msg,
                      submitted, started, finished, pid)
    SELECT 'job' || (x % 1000), 'group' || (x % 100), 'echo ' || x, 'success', x % 3, x % 2, NULL, NULL, '',
           1.7e9 + x, 1.7e9 + x + 0.001, 1.7e9 + x + 0.002, 100000 + x % 30000
    FROM n
    """,
    (count,),
)
db.commit()
db.close()
