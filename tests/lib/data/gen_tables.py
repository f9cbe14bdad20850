#!/usr/bin/env python3
"""Generate the reference tables that tests/lib/test_json_number.c and test_utf8.c check
the SDK against. Run once with python3 (any 3.x: float repr and the UTF-8 decoder have
been stable since 3.1/3.3) and commit the output; the tests never run Python.

    python3 tests/lib/data/gen_tables.py tests/lib/data

json_reals.txt:   <IEEE-754 bits as 16 hex digits> <json.dumps(value)>
utf8_replace.txt: <input bytes hex or -> <bytes.decode("utf-8", "replace") as UTF-8 hex
                  or -> <UnicodeDecodeError.start of a strict decode, or -1>
"""
import json
import random
import struct
import sys


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def real_values(rng):
    values = [0.0, -0.0, 6.77, 0.1, 0.2, 0.3, 1.0, -1.0, 100.0, 1e15, 1e16, 1e17,
              9999999999999998.0, 1234567890123456.0, 12345678901234567.0,
              1e-4, 1e-5, 0.0001, 0.00012345, 0.000099999, 1e22, 1e23, 1e-7,
              5e-324, 1e-323, 2.2250738585072014e-308, 2.2250738585072009e-308,
              1.7976931348623157e308, 4.35, 2.675, 1 / 3, 2 / 3, 3.14159, 9007199254740993.0,
              0.5, 1.5, 123.456, 1e300, 1e-300, 1.1, 2.2, 3.3000000000000003]
    values += [2.0 ** k for k in range(-1074, 1024)]
    values += [10.0 ** k for k in range(-320, 309)]
    values += [float(f"1e{k}") for k in range(-323, 309)]
    for _ in range(3000):  # arbitrary bit patterns (finite)
        while True:
            x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            if x == x and abs(x) != float("inf"):
                break
        values.append(x)
    for _ in range(2000):  # short decimals, as real data has them
        digits = rng.randint(1, 17)
        mantissa = rng.randint(1, 10 ** digits - 1)
        values.append(float(f"{mantissa}e{rng.randint(-25, 25)}") * rng.choice([1, -1]))
    for _ in range(1000):  # float32 embeddings, as vectors carry them
        f32 = struct.unpack("<f", struct.pack("<f", rng.uniform(-1, 1)))[0]
        values.append(f32)
    for _ in range(500):  # integers held as reals, both sides of 1e16
        values.append(float(rng.randint(0, 10 ** rng.randint(1, 20))))
    for _ in range(500):  # subnormals
        values.append(struct.unpack("<d", struct.pack("<Q", rng.getrandbits(52)))[0])
    seen, out = set(), []
    for v in values:
        if bits(v) not in seen:
            seen.add(bits(v))
            out.append(v)
    return out


def utf8_inputs(rng):
    cases = [b"", b"plain ascii", b"caf\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9f\x98\x80",
             b"\x80", b"\xbf", b"\xc0\x80", b"\xc1\xbf", b"\xc2", b"\xc2A", b"\xe2\x82",
             b"\xe2\x82A", b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xe0\xa0\x80", b"\xed\x9f\xbf",
             b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xee\x80\x80", b"\xef\xbf\xbf", b"\xf0\x80\x80\x80",
             b"\xf0\x8f\xbf\xbf", b"\xf0\x90\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xf4\x90\x80\x80",
             b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xfe", b"\xff", b"\xf0\x9f\x98",
             b"\xf0\x9f", b"\xf0", b"a\x00b", b"abcdefgh\xffijklmnop", b"0123456789abcdef\x80",
             b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc", b"\xf0\x90\x28\xbc", b"\xc3\x28",
             b"\xa0\xa1", b"\xe2\x82\xac\xe2\x82", b"x" * 40 + b"\xe2\x82\xac" * 5 + b"\xed\xa0\x80"]
    lead = [0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4]
    for c in range(0x80, 0x100):  # every byte, alone and before each kind of continuation
        cases.append(bytes([c]))
        for d in (0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0):
            cases.append(bytes([c, d]))
            cases.append(bytes([c, d, 0x80]))
            cases.append(bytes([c, d, 0x80, 0x80]))
    pieces = ["a", "é", "€", "😀", "日本", "\u07ff", "\U0010ffff", "\ud7ff", "\ue000"]
    for _ in range(1500):  # valid text with damage: a dropped, changed or inserted byte
        text = "".join(rng.choice(pieces) * rng.randint(1, 3) for _ in range(rng.randint(1, 12)))
        b = bytearray(text.encode())
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(len(b) + 1)
            kind = rng.randrange(3)
            if kind == 0 and i < len(b):
                del b[i]
            elif kind == 1 and i < len(b):
                b[i] = rng.choice([rng.randrange(256), rng.choice(lead), 0x80 | rng.randrange(64)])
            else:
                b.insert(i, rng.randrange(256))
        cases.append(bytes(b))
    for _ in range(1000):  # random bytes, biased to the interesting ones
        cases.append(bytes(rng.choice([rng.randrange(256), rng.choice(lead), 0x80 | rng.randrange(64), 0x41])
                           for _ in range(rng.randint(1, 12))))
    seen, out = set(), []
    for c in cases:
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "."
    rng = random.Random(20261125)
    with open(f"{directory}/json_reals.txt", "w") as f:
        f.write("# generated by gen_tables.py: IEEE-754 bits, json.dumps(value)\n")
        for v in real_values(rng):
            f.write(f"{bits(v):016x} {json.dumps(v)}\n")
    with open(f"{directory}/utf8_replace.txt", "w") as f:
        f.write("# generated by gen_tables.py: input, decode(errors='replace') re-encoded, "
                "strict error offset\n")
        for b in utf8_inputs(rng):
            replaced = b.decode("utf-8", "replace").encode("utf-8")
            try:
                b.decode("utf-8")
                start = -1
            except UnicodeDecodeError as e:
                start = e.start
            f.write(f"{b.hex() or '-'} {replaced.hex() or '-'} {start}\n")


if __name__ == "__main__":
    main()
