"""Installation of nsd-toolkit: ``pip install -e .`` (add ``[tests]`` for the suite)."""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name):
    """Requirement lines of ``requirements/<name>.txt`` without comments."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def read_version():
    namespace = {}
    with open(osp.join(HERE, 'nsd_toolkit', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='nsd_toolkit',
    version=read_version(),
    description='Neural Scene Decomposition (Rhodin et al., CVPR 2019) on '
    'mmengine: self-supervised multi-view detection, segmentation and 3D '
    'pose representation learning',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    python_requires='>=3.9',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'projects')),
    install_requires=read_requirements('runtime') +
    read_requirements('mminstall'),
    extras_require={
        'tests': read_requirements('tests'),
        'optional': read_requirements('optional'),
        'docs': read_requirements('docs'),
    },
    license='Apache License 2.0',
    zip_safe=False)
