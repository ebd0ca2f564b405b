"""Identity across papers: one work, one person, however many sources name them.

matching (verdicts on two records), decisions (graph/identities), resolution (at load),
review (a reviewer's merge and its undo), reviews_file (decisions kept in a file).
"""
