"""The workspace on disk: one module opens connections (SpatiaLite, WAL, ``atomic()``), numbered
migrations, the workspace folder, audited writes of syncable records, the content-addressed media store and
the hash-chained audit log. Everything that writes a record goes through here."""
