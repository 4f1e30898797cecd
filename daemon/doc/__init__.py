"""The notebook document: the Automerge boundary, the schema v3 accessors, `.ipynb` import and export, the store of documents under the home."""
