"""The ``inspector`` command line: the dispatcher (:mod:`.main`), the handlers' shared types (:mod:`.context`)
and the core's commands, one module per area of work (workspace, evidence and workflow, forms)."""
