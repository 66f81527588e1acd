"""Sample data for the demo: the demo workspace built on first use and the demo case the forms
benchmark and previews render. Generated sample data, never real enforcement records."""
