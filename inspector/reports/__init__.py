"""Results going back up (移送上报): the ledger exported with its progress, statistics and their charts."""
