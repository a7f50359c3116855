"""`tf.compat`: `v1` (TF1 graph mode) and `v2`."""
