"""
=========================================
Anchors and LIME on movie reviews
=========================================

A TF-IDF + logistic regression sentiment classifier is trained on the movie review snippets
shipped with skxai. Anchors find the shortest set of words that keeps the decision with
precision at least 0.95 when the other words are replaced by ``UNK``; LIME weighs every word.
The course's anchor picture places every candidate the search evaluated in the
size / precision plane.
"""

import matplotlib.pyplot as plt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skxai import AnchorTextExplainer, LimeTextExplainer
from skxai.datasets import load_movie_reviews
from skxai.plot import AnchorSearchDisplay, TextHighlightDisplay, text_html

reviews = load_movie_reviews()
docs, y = reviews.data, reviews.target_names[reviews.target]  # "negative" / "positive"
train, test, y_train, y_test = train_test_split(docs, y, train_size=6000, random_state=0, stratify=y)
model = make_pipeline(TfidfVectorizer(min_df=2), LogisticRegression(max_iter=2000)).fit(train, y_train)
print(f"accuracy on held-out snippets: {model.score(test[:2000], y_test[:2000]):.3f}")

# %%
# Anchors
# -------
anchors = AnchorTextExplainer(model, random_state=0).fit(train)
# Some snippets keep their decision with no anchor at all (the empty anchor already reaches the
# threshold); show the first held-out snippet that needs words.
candidates = anchors.explain(test[:20])
first = next(i for i in range(20) if len(candidates.anchor[i]) > 0)
review = test[first]
exp = candidates[first:first + 1]  # a slice keeps the sample axis the displays read
print(review)
print("anchor:", exp.anchor[0], f"precision {exp.precision[0]:.2f}, coverage {exp.coverage[0]:.3f}")
AnchorSearchDisplay.from_explanation(exp, threshold=anchors.threshold)

# %%
# The anchor words are bold in the highlighted text.
TextHighlightDisplay.from_explanation(exp)

# %%
# LIME for text
# -------------
# Red words push towards the explained class, blue ones away from it.
lime = LimeTextExplainer(model, random_state=0).fit(train)
exp_lime = lime.explain([review, "Dull, plodding and far too long."])
TextHighlightDisplay.from_explanation(exp_lime, index=1)

# %%
# The same highlighting as HTML, which notebooks and the report show inline:
print(text_html(exp_lime, index=0, style=False)[:400], "...")
plt.show()
