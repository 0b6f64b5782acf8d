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
HEIGHT_RANGE_MM = (1600.0, 1900.0)
HEIGHT_GAP_MM = 30.0


def _hsv(h, s, v):
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v))


def _unused_tone(rng, tones, used):
    """Index of a random row of ``tones`` not in ``used`` (any when all are)."""
    free = [i for i in range(len(tones)) if i not in used] or range(len(tones))
    return int(free[rng.integers(len(free))])


def _free_length(used_heights, gap):
    """Length (mm) of the height range farther than ``gap`` from every used
    height."""
    grid = np.linspace(*HEIGHT_RANGE_MM, 3001)  # 0.1 mm steps
    free = (np.abs(grid[:, None] - used_heights[None]) >= gap).all(axis=1)
    return free.mean() * (HEIGHT_RANGE_MM[1] - HEIGHT_RANGE_MM[0])


def _height_gap(used_heights):
    """``HEIGHT_GAP_MM``, halved while less than 10 mm of the height range is
    that far from every used height (mm): with many people the range leaves
    no room for the full gap, and the rejection sampling must end."""
    gap = HEIGHT_GAP_MM
    while gap > 0.5 and _free_length(used_heights, gap) < 10.0:
        gap /= 2
    return gap


def sample_people(rng, num_people, unseen=()):
    """Random people with clearly distinct clothing.

    Shirt hues are spread by the golden ratio; trousers take a far-away hue
    and a darker value. People drawn with ``unseen`` continue the hue
    sequence of those people (so no shirt hue repeats), take skin and hair
    tones they do not use while any are left, and heights at least 30 mm from
    theirs (less where the 1600-1900 mm range leaves no room for that many
    people): held-out identities for a test split.

    Args:
        rng (np.random.Generator): random stream.
        num_people (int): N.
        unseen (list[dict]): people (from this function) the new ones must
            differ from.

    Returns:
        list[dict]: per person ``height`` (mm, 1600-1900), ``hue`` (shirt hue
        in [0, 1)), ``skin`` and ``hair`` (tone indices), ``palette`` [7, 3]
        RGB in [0, 1] indexed by part id, ``stripe_colour`` [3],
        ``stripe_period`` (mm, 0 = plain shirt).
    """
    hue0 = rng.uniform()
    if unseen:
        hue0 = unseen[-1]['hue'] + 0.618034
    used_skin = {p['skin'] for p in unseen}
    used_hair = {p['hair'] for p in unseen}
    used_heights = np.array([p['height'] for p in unseen])
    height_gap = _height_gap(used_heights)
    people = []
    for i in range(num_people):
        hue = (hue0 + 0.618034 * i) % 1.0
        shirt = _hsv(hue, rng.uniform(0.55, 0.9), rng.uniform(0.6, 0.95))
        trousers = _hsv(hue + rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.8),
                        rng.uniform(0.2, 0.55))
        skin = _unused_tone(rng, SKIN_TONES, used_skin)
        long_sleeves = rng.uniform() < 0.5
        shoes = _hsv(rng.uniform(), 0.3, rng.uniform(0.1, 0.3))
        hair = _unused_tone(rng, HAIR_TONES, used_hair)
        palette = np.stack([
            shirt, trousers, SKIN_TONES[skin], shoes, SKIN_TONES[skin],
            shirt if long_sleeves else SKIN_TONES[skin], HAIR_TONES[hair]
        ])
        striped = rng.uniform() < 0.5
        height = float(rng.uniform(*HEIGHT_RANGE_MM))
        while (np.abs(used_heights - height) < height_gap).any():
            height = float(rng.uniform(*HEIGHT_RANGE_MM))
        people.append(
            dict(height=height,
                 hue=float(hue),
                 skin=skin,
                 hair=hair,
                 palette=palette,
                 stripe_colour=_hsv(hue +
                                    0.5, 0.2, 0.95) if striped else shirt,
                 stripe_period=float(rng.uniform(60.0, 120.0))
                 if striped else 0.0))
    return people
