"""Registered model components; importing this package registers all of them."""
from .architectures import *  # noqa: F401,F403
from .associators import *  # noqa: F401,F403
from .backbones import *  # noqa: F401,F403
from .compositors import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .decoders import *  # noqa: F401,F403
from .detectors import *  # noqa: F401,F403
from .encoders import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .pose_heads import *  # noqa: F401,F403
from .priors import *  # noqa: F401,F403
from .root_heads import *  # noqa: F401,F403
from .transformers import *  # noqa: F401,F403
