"""The researcher's web view and read-only SPARQL endpoint behind ``conflictkg serve``.

``app.create_app`` builds the ASGI app; ``ontology`` writes the ontology's documentation page.
"""
