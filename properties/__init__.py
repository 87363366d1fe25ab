"""properties: a reusable Hypothesis property kit for Keras mask layers."""
