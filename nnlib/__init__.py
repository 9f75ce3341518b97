"""nnlib: the small NumPy neural-network library this course builds, one piece per chapter.

The core abstraction is :class:`nnlib.core.Layer`: ``forward(x)`` computes the output and keeps
what the backward pass needs; ``backward(grad_output)`` adds parameter gradients into each
:class:`nnlib.core.Parameter` and returns the gradient with respect to the input. Names and
conventions follow PyTorch, so the next step after this course feels familiar.

Modules
-------
core        Parameter, Layer, Sequential (state_dict / load_state_dict)
functional  the math as pure functions (sigmoid, tanh, relu, ... and their derivatives)
neuron      a single artificial neuron (chapter 1)
layers      Linear, Dropout, BatchNorm1d, LayerNorm
activations activation layers (Sigmoid, Tanh, ReLU, LeakyReLU, ELU, GELU, Identity, Step, Softmax)
losses      loss objects (MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss)
init        weight initializers (Xavier/Glorot, He/Kaiming, ...)
optim       optimizers (SGD with momentum or Nesterov, RMSprop, Adam, AdamW), param_groups, state_dict
optim.lr_scheduler  learning-rate schedules (StepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR)
regularization  L1/L2 penalties, early stopping, parameter averaging
training    a fit loop, evaluate and accuracy
gradcheck   central-difference gradient checking
testing     plain-data conversion for the exercise tests
datasets    seeded synthetic data and scikit-learn's bundled data sets
plotting    figures used throughout the course
"""

from nnlib.core import Layer, Parameter, Sequential

__all__ = ["Layer", "Parameter", "Sequential"]
__version__ = "0.2.0"
