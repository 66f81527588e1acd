"""The 统计 view: statistics, charts and the ledger and report exports of the filtered cases."""
