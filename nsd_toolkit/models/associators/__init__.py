from .appearance_associator import AppearanceAssociator

__all__ = ['AppearanceAssociator']
