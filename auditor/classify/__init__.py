"""A lightweight classifier beside the rules: vague values the lexicon does not know, and
indicators filed under the wrong 二级.

Trained with scikit-learn (`auditor train`); the artifacts are plain JSON weights (vocabulary,
idf, coefficients), so loading needs neither pickle nor scikit-learn, and prediction is a few
dot products per row.
"""
