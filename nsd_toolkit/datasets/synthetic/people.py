"""Per-person identity: height and clothing (distinct shirt/trouser colours,
optional stripes, sleeves, skin, hair, shoes)."""
import colorsys

import numpy as np

#: Body-part ids used by :mod:`.body` primitives and palettes.
SHIRT, TROUSERS, SKIN, SHOES, HEAD, FOREARM = range(6)
HAIR = 6  # extra palette row, used on the back/top of the head
SKIN_TONES = np.array([[0.96, 0.80, 0.69], [0.89, 0.67, 0.52],
                       [0.76, 0.53, 0.37], [0.55, 0.37, 0.25],
                       [0.38, 0.25, 0.17]])
HAIR_TONES = np.array([[0.1, 0.08, 0.06], [0.35, 0.22, 0.1], [0.75, 0.6, 0.35],
                       [0.5, 0.5, 0.5]])


def _hsv(h, s, v):
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v))


def sample_people(rng, num_people):
    """Random people with clearly distinct clothing.

    Shirt hues are spread by the golden ratio; trousers take a far-away hue
    and a darker value.

    Args:
        rng (np.random.Generator): random stream.
        num_people (int): N.

    Returns:
        list[dict]: per person ``height`` (mm, 1600-1900), ``palette``
        [7, 3] RGB in [0, 1] indexed by part id, ``stripe_colour`` [3],
        ``stripe_period`` (mm, 0 = plain shirt).
    """
    hue0 = rng.uniform()
    people = []
    for i in range(num_people):
        hue = hue0 + 0.618034 * i
        shirt = _hsv(hue, rng.uniform(0.55, 0.9), rng.uniform(0.6, 0.95))
        trousers = _hsv(hue + rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.8),
                        rng.uniform(0.2, 0.55))
        skin = SKIN_TONES[rng.integers(len(SKIN_TONES))]
        long_sleeves = rng.uniform() < 0.5
        palette = np.stack([
            shirt, trousers, skin,
            _hsv(rng.uniform(), 0.3,
                 rng.uniform(0.1, 0.3)), skin, shirt if long_sleeves else skin,
            HAIR_TONES[rng.integers(len(HAIR_TONES))]
        ])
        striped = rng.uniform() < 0.5
        people.append(
            dict(height=float(rng.uniform(1600.0, 1900.0)),
                 palette=palette,
                 stripe_colour=_hsv(hue +
                                    0.5, 0.2, 0.95) if striped else shirt,
                 stripe_period=float(rng.uniform(60.0, 120.0))
                 if striped else 0.0))
    return people
