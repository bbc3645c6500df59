# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Compiled twins of senim's hottest per-candidate functions (built by the install when a C
compiler is present; see :mod:`senim.discovery._native`).

Each function here gives exactly what its Python reference gives, which stays the
specification and the fallback: ``_scanner._window_py``, ``_scanner._near_words_py``,
``_scanner._locate_py``, ``_scanner._bounded_py``, ``_protect._mask_preview_py``,
``_protect._digested_py``, ``kzid._checksum_ok_py``, ``checksums._luhn_ok_py`` and
``checksums._mod97_ok_py``; ``_scanner._score_matches_py`` and ``_scanner._row_hits_py``
for the scoring loops; ``_scanner._finding_columns_py`` and ``KeyedHasher.digest`` for the
findings batch. The twins read characters with CPython's
own classification (``Py_UNICODE_ISALNUM`` is :meth:`str.isalnum` and, with ``_``, regex
``\\w``; ``Py_UNICODE_ISSPACE`` is regex ``\\s``; ``Py_UNICODE_ISDECIMAL`` is regex ``\\d``;
``Py_UNICODE_ISDIGIT`` is :meth:`str.isdigit`), the window's sizes come from ``_scanner``
(:func:`bind_scoring`), and tests/discovery/test_native.py checks the twins against the
references on generated text and on whole scans.
"""

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.unicode cimport (
    PyUnicode_Find,
    PyUnicode_GET_LENGTH,
    PyUnicode_READ_CHAR,
    PyUnicode_Substring,
)


cdef extern from "Python.h":
    bint Py_UNICODE_ISALNUM(Py_UCS4 ch)
    bint Py_UNICODE_ISSPACE(Py_UCS4 ch)
    bint Py_UNICODE_ISDECIMAL(Py_UCS4 ch)
    bint Py_UNICODE_ISDIGIT(Py_UCS4 ch)
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)
    int PyUnicode_4BYTE_KIND


# the context window's reach, as ``_scanner`` sets it (see bind_scoring)
cdef Py_ssize_t CHARS_BEFORE = 60
cdef Py_ssize_t CHARS_AFTER = 40
cdef Py_UCS4 MASK = 0x2022  # the preview's mask, "•"


cdef inline bint _word(Py_UCS4 c) noexcept:
    """Regex ``\\w``."""
    return c == 95 or Py_UNICODE_ISALNUM(c)


cdef inline bint _stop(Py_UCS4 c) noexcept:
    """``[.!?;…]``: a sentence ends with it when spaces and a capital letter follow."""
    return c == 46 or c == 33 or c == 63 or c == 59 or c == 0x2026


cdef inline bint _capital(Py_UCS4 c) noexcept:
    """``[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]``: a capital that starts a sentence."""
    return (
        (65 <= c <= 90) or (0x410 <= c <= 0x42F) or c == 0x401 or c == 0x4D8 or c == 0x492
        or c == 0x49A or c == 0x4A2 or c == 0x4E8 or c == 0x4B0 or c == 0x4AE or c == 0x4BA
        or c == 0x406
    )


cdef inline Py_ssize_t _sentence_end(str text, Py_ssize_t p, Py_ssize_t stop) noexcept:
    """Where a sentence end at ``p`` ends inside ``text[:stop]`` (``-1``: none there):
    a line break, or ``[.!?;…]`` followed by spaces and a capital."""
    cdef Py_UCS4 c = PyUnicode_READ_CHAR(text, p)
    cdef Py_ssize_t j
    if c == 10:
        return p + 1
    if not _stop(c):
        return -1
    j = p + 1
    while j < stop and Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(text, j)):
        j += 1
    if j > p + 1 and j < stop and _capital(PyUnicode_READ_CHAR(text, j)):
        return j
    return -1


cdef (Py_ssize_t, Py_ssize_t) _bounds(str text, Py_ssize_t start, Py_ssize_t end) except *:
    """Where the window around ``text[start:end]`` starts and ends."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef Py_ssize_t lo = start - CHARS_BEFORE if start > CHARS_BEFORE else 0
    cdef Py_ssize_t hi = end + CHARS_AFTER
    cdef Py_ssize_t a = lo
    cdef Py_ssize_t b = hi if hi < n else n
    cdef Py_ssize_t p, cut
    if start < 0 or end < start or end > n:
        raise ValueError("span outside the text")
    if lo > 0 and Py_UNICODE_ISALNUM(PyUnicode_READ_CHAR(text, lo - 1)):
        while a < start and _word(PyUnicode_READ_CHAR(text, a)):
            a += 1
    p = start - 1
    while p >= a:  # the last sentence end before the candidate
        cut = _sentence_end(text, p, start)
        if cut >= 0:
            a = cut
            break
        p -= 1
    if hi < n and Py_UNICODE_ISALNUM(PyUnicode_READ_CHAR(text, hi)):
        while b > end and _word(PyUnicode_READ_CHAR(text, b - 1)):
            b -= 1
    p = end
    while p < b:  # the first sentence end after it
        if _sentence_end(text, p, b) >= 0:
            b = p
            break
        p += 1
    return a, b


def window(str text, Py_ssize_t start, Py_ssize_t end):
    """Text around a candidate within its sentence (see ``_scanner._window_py``)."""
    a, b = _bounds(text, start, end)
    return PyUnicode_Substring(text, a, start), PyUnicode_Substring(text, end, b)


cdef str _fold(str text):
    """``_context.fold``: case-folded, the Turkic dotted and dotless I as ``i``."""
    cdef str folded = text.casefold()
    if "ı" in folded or "\u0307" in folded:
        folded = folded.replace("i\u0307", "i").replace("ı", "i")
    return folded


def near_words(str text, Py_ssize_t start, Py_ssize_t end, object negative, object context):
    """Negative context in the window around ``text[start:end]``, and the first context word
    in it (see ``_scanner._near_words_py``)."""
    return _near_words(text, start, end, negative, context)


cdef tuple _near_words(str text, Py_ssize_t start, Py_ssize_t end, object negative, object context):
    a, b = _bounds(text, start, end)
    cdef str before = _fold(PyUnicode_Substring(text, a, start))
    cdef str after = None  # folded only when it is searched: a term before often settles it
    if negative is not None:
        after = _fold(PyUnicode_Substring(text, end, b))
        if negative(before) is not None or negative(after) is not None:
            return True, None
    if context is not None:
        found = context(before)
        if found is None:
            if after is None:
                after = _fold(PyUnicode_Substring(text, end, b))
            found = context(after)
        if found is not None:
            return False, found.group(0)
    return False, None


def mask_preview(str value):
    """A masked preview that keeps shape, not content.

    Separators stay; letters keep only the first letter of each word; in long digit runs
    (10 or more characters) the first two and last two characters stay visible.
    Short values are fully masked. (Compiled; the reference is
    ``senim.discovery._protect._mask_preview_py``.)
    """
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(value)
    cdef Py_ssize_t i, alnum = 0, digits = 0, head = -1, tail = -1, seen
    cdef Py_UCS4 c
    cdef bint in_word = False, letter
    cdef Py_UCS4 *out = <Py_UCS4 *> PyMem_Malloc((n if n else 1) * sizeof(Py_UCS4))
    if out is NULL:
        raise MemoryError()
    try:
        for i in range(n):
            c = PyUnicode_READ_CHAR(value, i)
            if Py_UNICODE_ISALNUM(c):
                alnum += 1
                out[i] = MASK
                if Py_UNICODE_ISDIGIT(c):
                    digits += 1
            else:
                out[i] = c
        if n >= 4 and alnum >= 6:
            if alnum >= 10 and digits >= alnum * 0.8:
                # long digit runs: the first two and the last two letters or digits stay
                seen = 0
                for i in range(n):
                    if Py_UNICODE_ISALNUM(PyUnicode_READ_CHAR(value, i)):
                        seen += 1
                        if seen == 2:
                            head = i
                            break
                seen = 0
                for i in range(n - 1, -1, -1):
                    if Py_UNICODE_ISALNUM(PyUnicode_READ_CHAR(value, i)):
                        seen += 1
                        if seen == 2:
                            tail = i
                            break
                for i in range(head + 1):
                    out[i] = PyUnicode_READ_CHAR(value, i)
                for i in range(tail, n):
                    out[i] = PyUnicode_READ_CHAR(value, i)
            else:
                # words (regex [^\W\d_]+) keep their first letter
                for i in range(n):
                    c = PyUnicode_READ_CHAR(value, i)
                    letter = Py_UNICODE_ISALNUM(c) and not Py_UNICODE_ISDECIMAL(c)
                    if letter and not in_word:
                        out[i] = c
                    in_word = letter
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, n)
    finally:
        PyMem_Free(out)


def digested(str value):
    """What a keyed digest covers of ``value`` (see ``_protect._digested_py``): the
    case-folded value's letters, digits, ``@`` and ``.``."""
    return _digested(value)


cdef str _digested(str value):
    cdef str folded = value.casefold()
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(folded)
    cdef Py_ssize_t i, kept = 0
    cdef Py_UCS4 c
    cdef Py_UCS4 *out = <Py_UCS4 *> PyMem_Malloc((n if n else 1) * sizeof(Py_UCS4))
    if out is NULL:
        raise MemoryError()
    try:
        for i in range(n):
            c = PyUnicode_READ_CHAR(folded, i)
            if c == 64 or c == 46 or Py_UNICODE_ISALNUM(c):
                out[kept] = c
                kept += 1
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, kept)
    finally:
        PyMem_Free(out)


def locate(list rows, list values, list texts, object only):
    """Character spans of a column's matches (see ``_scanner._locate_py``)."""
    cdef Py_ssize_t i, n = len(rows), pos, at = 0
    cdef Py_ssize_t row, current = -1
    cdef str value, text = ""
    cdef dict last = {}
    cdef list starts = [], ends = []
    cdef bint every = only is None
    for i in range(n):
        row = rows[i]
        value = values[i]
        if not every and row not in only:
            starts.append(-1)
            ends.append(PyUnicode_GET_LENGTH(value) - 1)
            continue
        if row != current:
            last[current] = at
            current = row
            text = texts[row] or ""
            at = last.get(row, 0)
        pos = PyUnicode_Find(text, value, at, PyUnicode_GET_LENGTH(text), 1)
        starts.append(pos)
        ends.append(pos + PyUnicode_GET_LENGTH(value))
        if pos >= 0:
            at = pos + PyUnicode_GET_LENGTH(value)
    return starts, ends


cdef inline bint _free(Py_UCS4 c, int kind) noexcept:
    """Does the character next to a span leave it bounded (see ``Detector.boundary``)?"""
    if kind == 1:
        return not Py_UNICODE_ISALNUM(c)
    if kind == 2:
        return not Py_UNICODE_ISDIGIT(c)
    return not (Py_UNICODE_ISALNUM(c) or c == 95)


cdef inline int _boundary_kind(str boundary):
    if boundary == "none":
        return 0
    if boundary == "alnum":
        return 1
    if boundary == "digit":
        return 2
    return 3


cdef inline int _span_bounded(
    str text, Py_ssize_t size, Py_ssize_t start, Py_ssize_t end, int kind
) except -1:
    """1 when the span ``text[start:end]`` (``size``: the text's length) respects the
    boundary rule of ``kind`` (0: none), else 0."""
    if kind == 0:
        return 1
    if start > size:
        raise IndexError("string index out of range")
    if start > 0 and not _free(PyUnicode_READ_CHAR(text, start - 1), kind):
        return 0
    if end < size and not _free(PyUnicode_READ_CHAR(text, end), kind):
        return 0
    return 1


def bounded(list rows, list starts, list ends, list texts, str boundary):
    """Indices of the located spans that respect ``boundary`` (see ``_scanner._bounded_py``)."""
    cdef int kind = _boundary_kind(boundary)
    cdef Py_ssize_t i, n = len(rows), start
    cdef str text
    cdef list out = []
    for i in range(n):
        start = starts[i]
        if start < 0:
            continue
        if kind == 0:
            out.append(i)
            continue
        text = texts[rows[i]] or ""
        if _span_bounded(text, PyUnicode_GET_LENGTH(text), start, ends[i], kind):
            out.append(i)
    return out


def verdicts(list values, list kept, dict memo, object judge, Py_ssize_t size, object unseen):
    """The verdicts of the distinct kept values that are not rejected (see
    ``_scanner._verdicts_py``: the same values judged, in the same order, the memo kept
    alike; ``unseen``: the memo's marker of a value it does not hold)."""
    cdef dict out = {}
    cdef set done = set()
    cdef object value, verdict
    for index in kept:
        value = values[index]
        if value in done:
            continue
        done.add(value)
        verdict = memo.get(value, unseen)
        if verdict is unseen:
            verdict = judge(value)
            if len(memo) >= size:
                memo.clear()
            memo[value] = verdict
        if verdict is not False:
            out[value] = verdict
    return out


def units_located(
    list rows, list values, list texts, dict per_unit, object det, object boundary
):
    """A column's unit candidates placed in their rows (see
    ``_scanner._units_located_py``: the rows holding a name located by ``locate``, each
    candidate of a unit kept when bounded as ``bounded`` or ``det._bounded`` has it)."""
    cdef Py_ssize_t i, pos, start, end, size
    cdef int kind = _boundary_kind(boundary) if boundary is not None else -1
    cdef str text
    cdef dict located = {}
    cdef list here
    cdef object cands, cand
    named = {rows[i] for i in range(len(rows)) if values[i] in per_unit}
    starts, _ = locate(rows, values, texts, named)
    for i in range(len(values)):
        cands = per_unit.get(values[i])
        pos = starts[i]
        if cands is None or pos < 0:
            continue
        text = texts[rows[i]]
        size = PyUnicode_GET_LENGTH(text)
        for cand in cands:
            start = pos + <Py_ssize_t> cand.start
            end = pos + <Py_ssize_t> cand.end
            if kind < 0:
                if not det._bounded(text, start, end):
                    continue
            elif not _span_bounded(text, size, start, end, kind):
                continue
            here = located.get(rows[i])
            if here is None:
                here = located[rows[i]] = []
            here.append((start, end, cand))
    return located


cdef int[11] W1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
cdef int[11] W2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]


def kz_checksum_ok(str number):
    """Is ``number`` 12 ASCII digits with a valid two-pass mod-11 check digit (an IIN's or
    a BIN's; see ``kzid._checksum_ok_py``)?"""
    cdef int digits[12]
    cdef int i, k1 = 0, k2 = 0
    cdef Py_UCS4 c
    if PyUnicode_GET_LENGTH(number) != 12:
        return False
    for i in range(12):
        c = PyUnicode_READ_CHAR(number, i)
        if c < 48 or c > 57:
            return False
        digits[i] = <int>c - 48
    for i in range(11):
        k1 += digits[i] * W1[i]
        k2 += digits[i] * W2[i]
    k1 %= 11
    if k1 == 10:
        k1 = k2 % 11
        if k1 == 10:
            return False
    return k1 == digits[11]


cdef inline int _base36(Py_UCS4 c) noexcept:
    """An ASCII letter or digit's value in base 36 (``int(c, 36)``), -1 for any other."""
    if 48 <= c <= 57:
        return <int>c - 48
    if 65 <= c <= 90:
        return <int>c - 55
    if 97 <= c <= 122:
        return <int>c - 87
    return -1


def luhn_ok(str number):
    """Is ``number`` valid under the Luhn formula (``checksums._luhn_ok_py``: python-stdnum's
    ``luhn.is_valid``)? ``None`` unless it is ASCII digits only (the caller asks stdnum)."""
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(number)
    cdef int d, total = 0
    cdef Py_UCS4 c
    if n == 0:
        return None
    for i in range(n):  # from the right: every second digit doubled
        c = PyUnicode_READ_CHAR(number, n - 1 - i)
        if c < 48 or c > 57:
            return None
        d = <int>c - 48
        if i & 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def mod97_ok(str number):
    """Does ``number`` pass ISO 7064 mod 97-10 (``checksums._mod97_ok_py``: python-stdnum's
    ``iso7064.mod_97_10.is_valid``), letters counting 10 to 35? ``None`` unless it is ASCII
    letters and digits only (the caller asks stdnum)."""
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(number)
    cdef long rest = 0
    cdef int v
    if n == 0:
        return None
    for i in range(n):
        v = _base36(PyUnicode_READ_CHAR(number, i))
        if v < 0:
            return None
        rest = (rest * (10 if v < 10 else 100) + v) % 97
    return rest == 1


# the scanner's helpers score_matches calls, bound once by _scanner (see bind_scoring)
cdef object _Hit = None
cdef object _validated = None
cdef object _context_boost = None
cdef object _searches = None


def bind_scoring(hit, validated, context_boost, searches, Py_ssize_t before, Py_ssize_t after):
    """Hand over ``_scanner``'s hit class, its cached helpers (``_validated``,
    ``_context_boost``, ``_searches``) and the context window's reach (characters
    ``before`` and ``after`` a candidate) to the kernel."""
    global _Hit, _validated, _context_boost, _searches, CHARS_BEFORE, CHARS_AFTER
    _Hit, _validated, _context_boost, _searches = hit, validated, context_boost, searches
    CHARS_BEFORE, CHARS_AFTER = before, after


cdef object _neighbours(object spans, Py_ssize_t start, Py_ssize_t end):
    """The nearest spans ending before ``start`` and starting after ``end``, or ``None``
    (see ``_scanner._neighbours``)."""
    cdef Py_ssize_t s, e, last_end = 0, next_start = 0
    cdef object before = None, after = None
    for span in spans:
        s = span[0]
        e = span[1]
        if e <= start and (before is None or e > last_end):
            before = (start - s, start - e)
            last_end = e
        elif s >= end and (after is None or s < next_start):
            after = (s - end, e - end)
            next_start = s
    if before is None and after is None:
        return None
    return before, after


cdef object _first_nearer(
    object rx, str gap_before, bint cut_before, str gap_after, bint cut_after
):
    """The first word of ``rx`` in the gaps that stands nearer the candidate than the
    other candidate beyond the gap's cut (see ``_scanner._nearest_context``)."""
    cdef Py_ssize_t size
    if rx is None:
        return None
    size = PyUnicode_GET_LENGTH(gap_before)
    for m in rx.finditer(gap_before):
        if not cut_before or m.start() >= size - m.end():
            return m.group(0)
    size = PyUnicode_GET_LENGTH(gap_after)
    for m in rx.finditer(gap_after):
        if not cut_after or m.start() < size - m.end():
            return m.group(0)
        break  # the words after it stand nearer still to the other candidate
    return None


cdef tuple _nearest_context(
    str text, Py_ssize_t start, Py_ssize_t end, tuple near, object negative, object context
):
    """Negative context and the first context word near ``text[start:end]`` when other
    candidates of its detector are near (``near``, see ``_scanner._nearest_context``)."""
    a, b = _bounds(text, start, end)
    cdef str before = PyUnicode_Substring(text, a, start)
    cdef str after = PyUnicode_Substring(text, end, b)
    cdef Py_ssize_t lo = 0, hi = PyUnicode_GET_LENGTH(after)
    cdef bint cut_before = False, cut_after = False
    prev, following = near
    if prev is not None and prev[0] <= PyUnicode_GET_LENGTH(before):  # wholly inside
        lo = PyUnicode_GET_LENGTH(before) - <Py_ssize_t> prev[1]
        cut_before = True
    if following is not None and following[1] <= hi:
        hi = following[0]
        cut_after = True
    cdef str gap_before = _fold(PyUnicode_Substring(before, lo, PyUnicode_GET_LENGTH(before)))
    cdef str gap_after = _fold(PyUnicode_Substring(after, 0, hi))
    if _first_nearer(negative, gap_before, cut_before, gap_after, cut_after) is not None:
        return True, None
    return False, _first_nearer(context, gap_before, cut_before, gap_after, cut_after)


def nearest_context(str text, Py_ssize_t start, Py_ssize_t end, tuple near, negative, context):
    """``_nearest_context`` (for the property test against ``_scanner._nearest_context``:
    ``negative`` and ``context`` are the detector's compiled patterns)."""
    return _nearest_context(text, start, end, near, negative, context)


def neighbours(spans, Py_ssize_t start, Py_ssize_t end):
    """``_neighbours`` (for the property test against ``_scanner._neighbours``)."""
    return _neighbours(spans, start, end)


cdef class _Rule:
    """``Scanner._score``'s rule for one detector (its attributes read once per call)."""

    cdef object scanner, det, name, validated_score, min_score, memo, negative, context
    cdef object negative_rx, context_rx
    cdef bint has_context, required, nearest

    def __cinit__(self, scanner, det):
        self.scanner = scanner
        self.det = det
        self.name = det.name
        self.validated_score = det.validated_score
        self.min_score = scanner.min_score
        self.memo = scanner._near
        self.negative, self.context = _searches(det)
        self.negative_rx = det.negative_matcher.pattern
        self.context_rx = det.context_matcher.pattern
        self.has_context = det.has_context
        self.required = det.context_required
        self.nearest = det.context_nearest

    cdef object score(
        self, str text, Py_ssize_t start, Py_ssize_t end, object pattern, object base,
        object verdict, object validated, object col_term, object spans,
    ):
        """The hit, or ``None`` (``validated``: the adjustment of a validated candidate,
        ``None`` when validation cannot raise ``base``)."""
        cdef Py_ssize_t lo
        cdef object score = base, adjustments = (), negative, near, key, found, term, where
        cdef object others = None
        if verdict is True and validated is not None:
            adjustments = validated
            score = self.validated_score
        if self.has_context and (start != 0 or end != PyUnicode_GET_LENGTH(text)):
            if self.nearest and spans:
                others = _neighbours(spans, start, end)  # ``Scanner._nearby``'s rule
            if self.memo.paused:
                self.memo.paused -= 1
                found = self._near(text, start, end, others)
            else:
                lo = start - CHARS_BEFORE - 1
                key = (
                    self.name,
                    PyUnicode_Substring(text, lo if lo > 0 else 0, start),
                    PyUnicode_Substring(text, end, end + CHARS_AFTER + 1),
                    others,
                )
                found = self.memo.get(key)
                if found is None:
                    found = self.memo.put(key, self._near(text, start, end, others))
            negative, near = found
        else:
            negative, near = False, None
        if negative:
            return None
        term, where = col_term, "column"
        if term is None and near is not None:
            term, where = near, "text"
        if term is not None:
            boosted, score = _context_boost(score, where, term)
            adjustments = (*adjustments, boosted)
        elif self.required:
            return None
        if score < self.min_score:
            return None
        return _Hit(start, end, score, self.det, pattern, base, adjustments)

    cdef tuple _near(self, str text, Py_ssize_t start, Py_ssize_t end, object others):
        """``_scanner._context_near``: the window's words, or with other candidates of a
        context_nearest detector near, the words nearer this one."""
        if others is not None:
            return _nearest_context(
                text, start, end, others, self.negative_rx, self.context_rx
            )
        return _near_words(text, start, end, self.negative, self.context)

    cdef object validated_for(self, object base):
        return _validated(self.validated_score, base) if self.validated_score > base else None


def score_matches(
    scanner, det, str pattern, base, found, list kept, dict verdicts, list texts, col_term,
    row_spans, seen, dict hits,
):
    """One pattern's valid bounded matches scored into ``hits`` per row (see
    ``_scanner._score_matches_py``, whose steps, ``Scanner._score`` and ``Scanner._nearby``
    included, this runs in the same order)."""
    cdef _Rule rule = _Rule(scanner, det)
    cdef list rows = found.rows
    cdef list starts = found.starts
    cdef list ends = found.ends
    cdef list values = found.values
    cdef Py_ssize_t i, row, start, end
    cdef object verdict, key, hit, row_hits, spans
    validated = rule.validated_for(base)
    for index in kept:
        i = index
        verdict = verdicts.get(values[i], False)
        if verdict is False:
            continue
        row = rows[i]
        start = starts[i]
        end = ends[i]
        if seen is not None:
            key = (row, start, end)
            if key in seen:
                continue
            seen.add(key)
        spans = row_spans.get(row) if row_spans is not None else None
        hit = rule.score(texts[row], start, end, pattern, base, verdict, validated, col_term, spans)
        if hit is None:
            continue
        row_hits = hits.get(row)
        if row_hits is None:
            row_hits = hits[row] = []
        row_hits.append(hit)


def score_candidates(scanner, det, str text, list cands, col_term, list out):
    """The hits among one text's bounded candidates of ``det`` (start, end, candidate),
    appended to ``out`` (see ``_scanner._row_hits_py``: each candidate validated, then
    scored by ``Scanner._score``'s rule)."""
    cdef _Rule rule = _Rule(scanner, det)
    cdef Py_ssize_t start, end
    cdef object verdict, hit, value, spans = None
    validate, invalidate = det.validate, det.invalidate
    if rule.nearest:
        spans = [(c[0], c[1]) for c in cands]
    for item in cands:
        start = item[0]
        end = item[1]
        cand = item[2]
        value = PyUnicode_Substring(text, start, end)
        verdict = validate(value)
        if verdict is False or invalidate(value):
            continue
        base = cand.score
        hit = rule.score(
            text, start, end, cand.pattern, base, verdict, rule.validated_for(base), col_term,
            spans,
        )
        if hit is not None:
            out.append(hit)


def digests(inner, outer, list entities, list values):
    """Keyed digests of (entity, value) pairs: ``KeyedHasher.digest`` of each, with the
    hasher's two prepared SHA-256 states (see ``_protect.KeyedHasher``)."""
    cdef Py_ssize_t i, n = len(values)
    cdef list out = []
    cdef object first, second
    if len(entities) != n:
        raise ValueError("entities and values differ in length")
    for i in range(n):
        first = inner.copy()
        first.update(f"{entities[i]}:{_digested(values[i])}".encode())
        second = outer.copy()
        second.update(first.digest())
        out.append(second.hexdigest()[:16])
    return out


def finding_columns(list rows):
    """The findings batch's columns that come from the hits (see
    ``_scanner._finding_columns_py``)."""
    cdef list sources = [], records = [], columns = [], starts = [], ends = [], entities = []
    cdef list scores = [], detectors = [], explanations = [], values = []
    cdef object hit, det, base, score, shown, key, explained
    cdef str text
    # scores, explanations and detectors' names repeat: each distinct one is worked out once
    cdef dict rounded = {}, explanation = {}, named = {}
    for row in rows:
        hit, text, source, record, column, base = row
        det = hit.detector
        sources.append(source)
        records.append(record)
        columns.append(column)
        starts.append(hit.start + base)
        ends.append(hit.end + base)
        shown = named.get(det)
        if shown is None:
            shown = named[det] = (det.entity, det.name)
        entities.append(shown[0])
        score = hit.score
        key = rounded.get(score)
        if key is None:
            key = rounded[score] = round(score, 4)
        scores.append(key)
        detectors.append(shown[1])
        key = (det, hit.pattern, hit.base, hit.adjustments)
        explained = explanation.get(key)
        if explained is None:
            explained = explanation[key] = hit.explanation_json()
        explanations.append(explained)
        value = hit.value
        values.append(PyUnicode_Substring(text, hit.start, hit.end) if value is None else value)
    return {
        "source": sources, "record": records, "column": columns, "start": starts,
        "end": ends, "entity": entities, "score": scores, "detector": detectors,
        "explanation": explanations, "value": values,
    }
