"""Fixed directional light and Lambert shading shared by room and people."""
import numpy as np

#: Unit world direction towards the light (z up).
LIGHT_DIR = np.array([0.45, 0.3, 0.84]) / np.linalg.norm([0.45, 0.3, 0.84])
AMBIENT = 0.45
DIFFUSE = 0.6


def lambert(albedo, normals):
    """Shade albedo with the fixed light.

    Args:
        albedo (np.ndarray): [..., 3] RGB in [0, 1].
        normals (np.ndarray): [..., 3] unit world normals.

    Returns:
        np.ndarray: [..., 3] uint8 RGB.
    """
    light = AMBIENT + DIFFUSE * np.clip(normals @ LIGHT_DIR, 0.0, None)
    return np.clip(albedo * light[..., None] * 255.0 + 0.5, 0,
                   255).astype(np.uint8)
