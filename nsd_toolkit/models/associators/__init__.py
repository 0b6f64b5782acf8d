from .base_associator import BaseAssociator
from .appearance_associator import AppearanceAssociator

__all__ = ['BaseAssociator', 'AppearanceAssociator']
