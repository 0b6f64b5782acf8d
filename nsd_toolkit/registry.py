"""Registries of nsd-toolkit, children of mmengine's root registries.

Every registry that holds modules of ours names the package locations whose
import registers them, so ``build_from_cfg`` finds them under
``default_scope='nsd_toolkit'`` without manual imports (the mmpose pattern).
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import INFERENCERS as MMENGINE_INFERENCERS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import \
    RUNNER_CONSTRUCTORS as MMENGINE_RUNNER_CONSTRUCTORS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

# Runners, loops and hooks
RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS)
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor', parent=MMENGINE_RUNNER_CONSTRUCTORS)
LOOPS = Registry('loop', parent=MMENGINE_LOOPS)
HOOKS = Registry(
    'hook', parent=MMENGINE_HOOKS, locations=['nsd_toolkit.engine.hooks'])

# Data
DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, locations=['nsd_toolkit.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler',
    parent=MMENGINE_DATA_SAMPLERS,
    locations=['nsd_toolkit.datasets'])
TRANSFORMS = Registry(
    'transform',
    parent=MMENGINE_TRANSFORMS,
    locations=['nsd_toolkit.datasets.transforms'])

# Models
MODELS = Registry(
    'model', parent=MMENGINE_MODELS, locations=['nsd_toolkit.models'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMENGINE_WEIGHT_INITIALIZERS)

# Optimisation
OPTIMIZERS = Registry(
    'optimizer',
    parent=MMENGINE_OPTIMIZERS)
OPTIM_WRAPPERS = Registry(
    'optim_wrapper',
    parent=MMENGINE_OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['nsd_toolkit.engine.optim_wrappers'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMENGINE_PARAM_SCHEDULERS)

# Evaluation
METRICS = Registry(
    'metric',
    parent=MMENGINE_METRICS,
    locations=['nsd_toolkit.evaluation.metrics'])
EVALUATOR = Registry(
    'evaluator',
    parent=MMENGINE_EVALUATOR)

# Utilities and visualisation
TASK_UTILS = Registry(
    'task util', parent=MMENGINE_TASK_UTILS)
VISUALIZERS = Registry(
    'visualizer',
    parent=MMENGINE_VISUALIZERS,
    locations=['nsd_toolkit.visualization'])
VISBACKENDS = Registry(
    'vis_backend',
    parent=MMENGINE_VISBACKENDS,
    locations=['nsd_toolkit.visualization'])
LOG_PROCESSORS = Registry(
    'log_processor',
    parent=MMENGINE_LOG_PROCESSORS)
INFERENCERS = Registry(
    'inferencer',
    parent=MMENGINE_INFERENCERS)
FUNCTIONS = Registry(
    'function', parent=MMENGINE_FUNCTIONS, locations=['nsd_toolkit.datasets'])
