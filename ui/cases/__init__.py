"""Case views: the case list and its model, the case detail, the evidence gallery and viewer, the finding
form, rectification dialogs and the form preview and batch export."""
