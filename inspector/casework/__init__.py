"""The work on a case: reading cases, findings (核查记录), rectification and the 两断三清 checklist,
evidence attached to a case, and the 整改销号 workflow — the one rule table the device and the server
share."""
