"""From a paper's full text to a draft annotation: the extraction pipeline behind `urbankg extract`.

    fulltext -> reference_parser -> citation_finder -> concept_linker -> extractor -> draft_writer

``fulltext_cli`` is the command; ``reference_training`` retrains the CRF model in ``models/``.
The pipeline writes a YAML draft for a scholar to review and never touches the store; the file
readers of ``urbankg.loaders`` read that draft once it is reviewed. Importing this package costs
nothing: each module is imported when used (python-crfsuite and pypdf only then).
"""
