"""`tf.keras.datasets`: small standard datasets (`mnist.load_data()`, ...)."""

from nanotf.keras.datasets import boston_housing as boston_housing
from nanotf.keras.datasets import cifar10 as cifar10
from nanotf.keras.datasets import cifar100 as cifar100
from nanotf.keras.datasets import fashion_mnist as fashion_mnist
from nanotf.keras.datasets import imdb as imdb
from nanotf.keras.datasets import mnist as mnist
from nanotf.keras.datasets import reuters as reuters
