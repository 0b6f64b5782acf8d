"""Procedural world-space textures: integer hashing and value noise.

All functions are pure functions of world coordinates and a salt, so a surface
point gets the same colour from every camera.
"""
import numpy as np

_MASK = np.uint64(0xFFFFFFFF)


def hash_uniform(ix, iy, salt):
    """Uniform pseudo-random numbers in [0, 1) for integer lattice cells.

    Args:
        ix, iy (np.ndarray): integer cell indices (any equal shapes).
        salt (int): stream selector (e.g. derived from the seed).

    Returns:
        np.ndarray: float64 of the same shape.
    """
    h = (np.asarray(ix, np.int64).astype(np.uint64) * np.uint64(0x8DA6B343)
         ^ np.asarray(iy, np.int64).astype(np.uint64) * np.uint64(0xD8163841)
         ^ np.uint64((salt * 0xCB1AB31F) & 0xFFFFFFFF)) & _MASK
    for _ in range(2):
        h = ((h ^ (h >> np.uint64(15))) * np.uint64(0x2C1B3C6D)) & _MASK
        h = ((h ^ (h >> np.uint64(12))) * np.uint64(0x297A2D39)) & _MASK
    h ^= h >> np.uint64(15)
    return (h & _MASK).astype(np.float64) / 4294967296.0


def value_noise(x, y, cell, salt):
    """Smooth value noise in [0, 1) on a square lattice of ``cell`` units.

    Args:
        x, y (np.ndarray): coordinates (mm), equal shapes.
        cell (float): lattice spacing (mm).
        salt (int): stream selector.

    Returns:
        np.ndarray: float64 of the same shape.
    """
    gx, gy = np.asarray(x) / cell, np.asarray(y) / cell
    ix, iy = np.floor(gx), np.floor(gy)
    fx, fy = gx - ix, gy - iy
    fx, fy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)
    ix, iy = ix.astype(np.int64), iy.astype(np.int64)
    v00, v10 = hash_uniform(ix, iy, salt), hash_uniform(ix + 1, iy, salt)
    v01, v11 = hash_uniform(ix, iy + 1,
                            salt), hash_uniform(ix + 1, iy + 1, salt)
    top = v00 + (v10 - v00) * fx
    bottom = v01 + (v11 - v01) * fx
    return top + (bottom - top) * fy
