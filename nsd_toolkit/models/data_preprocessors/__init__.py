from .nsd_data_preprocessor import NSDDataPreprocessor

__all__ = ['NSDDataPreprocessor']
