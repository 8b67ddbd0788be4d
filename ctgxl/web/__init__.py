"""ctgxl's web application (Django): the check page, later the collection portal.
Imported only by `ctgxl serve` and the WSGI entry point, never by the other commands."""
