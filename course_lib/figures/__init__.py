"""The figures of each chapter: one module per chapter (``figures.ch04``), drawing only.

Concept modules (``course_lib.activations`` ...) hold the math and never import
matplotlib; the drawings the notebooks show live here and call them.  Nothing is
imported by this package itself, so ``import course_lib`` stays fast.
"""
