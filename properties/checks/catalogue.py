"""Every property, gathered from the check modules: the one place that imports them all."""

from properties.checks import claims, concurrency, errors, execution, gradients, instances, keras_arguments
from properties.checks import keras_integration, metamorphic, random_region, reference, shapes, state, training, values

#: The check modules, in the order their properties run and are reported.
MODULES = (values, state, instances, concurrency, execution, gradients, shapes, training, keras_integration,
           keras_arguments, metamorphic, reference, errors, claims, random_region)


def all_properties():
    """Every property, in report order."""
    return [prop for module in MODULES for prop in module.PROPERTIES]


def value_property_names():
    """The names of the properties whose eager coverage is judged (``Property.value``)."""
    return {prop.name for prop in all_properties() if prop.value}
