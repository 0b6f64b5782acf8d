"""Built-in synthetic multi-view scene generator (room, camera ring, people)."""
from .camera import look_at, pixel_rays, project_points, ring_cameras
from .generator import (build_scene, check_arguments,
                        generate_synthetic_dataset)
from .motion import MOTIONS, simulate_sequence
from .people import sample_people
from .renderer import intersect_capsules, render_people
from .room import render_room, sample_room
from .skeleton import JOINT_NAMES, forward_kinematics

__all__ = [
    'JOINT_NAMES', 'MOTIONS', 'build_scene', 'check_arguments',
    'forward_kinematics', 'generate_synthetic_dataset', 'intersect_capsules',
    'look_at', 'pixel_rays', 'project_points', 'render_people', 'render_room',
    'ring_cameras', 'sample_people', 'sample_room', 'simulate_sequence'
]
