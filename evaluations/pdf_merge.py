"""Merging tagged PDFs (PDF/UA-1) as WeasyPrint writes them into one, with one structure tree.

WeasyPrint cannot merge the PDFs it wrote, and pypdf's merging drops the structure tree (and
holds every object of the result in memory), so the area self-evaluation's parts are merged
here, in two steps:

1. `relocatable_pdf` rewrites a PDF ready to merge: its objects renumbered from 5 on (1 to 4
   stand for the merged PDF's catalog, page tree, structure tree root and /Document element,
   so that a page's /Parent and the /P of the /Document element's children already point at
   the merged ones), every string in hexadecimal (so that "n 0 R" in an object can only be a
   reference), the IDs of structure elements (table headers) and the /Headers naming them
   prefixed (to stay unique in any merge), and a manifest of what the merged PDF gathers: the
   pages, the /Document element's children, the ParentTree, the named destinations, the
   outline, the links to URLs, the first piece's language and metadata. It reads the PDF's
   objects as bytes (`_RawPdf`) and rewrites them with regular expressions, parsing only the
   few objects that hold the document's structure (`_parse`). An area's part is stored this
   way when it is rendered.
2. `merge_tagged_pdfs` adds an offset to each relocatable piece's object numbers, and to the
   ParentTree keys of its pages and links, and writes the objects into compressed object
   streams (as WeasyPrint writes them) with one catalog, page tree, structure tree,
   ParentTree, outline, name tree of destinations and page labels; /MarkInfo /Marked, /Lang,
   /ViewerPreferences /DisplayDocTitle, the document information and the XMP metadata (with
   its PDF/UA identification) come from the first piece. A link in the first piece to a
   piece's `link` URL becomes a link to that piece's first page.

Memory: one piece, and the merged PDF's bytes. No third-party code: only what WeasyPrint's
PDF writer (pydyf) produces is read (a cross-reference stream, objects in an object stream,
no predictors, no encryption); anything else raises ValueError."""

import hashlib
import io
import json
import re
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple


@dataclass
class PdfPiece:
    """One tagged PDF to go into a merged one (`merge_tagged_pdfs`).

    `data` is its bytes, as `html_to_pdf` rendered them or made ready by `relocatable_pdf`, or
    a function returning them (called when its turn comes, so that a merge holds one piece's
    bytes at a time). Its pages are labelled `label` followed by their number within the piece
    ("Safer city 3"), or in lower-case Roman numerals if `roman`. A link in the first piece to
    the URL `link` goes to this piece's first page in the merged PDF, and is described as
    `title` (the link's /Contents, which assistive technology reads)."""

    data: bytes | Callable[[], bytes]
    label: str = ""
    roman: bool = False
    link: str = ""
    title: str = ""


def merge_tagged_pdfs(pieces: Iterable[PdfPiece]) -> bytes:
    """One tagged PDF made of `pieces`, in order; the first gives the document's title,
    language and metadata. See the module's docstring."""
    merge = _Merge()
    for index, piece in enumerate(pieces):
        data = piece.data() if callable(piece.data) else piece.data
        if not data.startswith(RELOCATABLE):
            data = relocatable_pdf(data, prefix=f"p{index + 1}-")
        merge.add(index, piece, data)
        del data
    return merge.finish()


RELOCATABLE = b"%challenge-relocatable-pdf-1\n"
# In a relocatable piece, object numbers 1 to 4 stand for these objects of the merged PDF.
_CATALOG, _PAGES, _TREE_ROOT, _DOCUMENT = 1, 2, 3, 4
_RESERVED = 4
_REFERENCE = re.compile(rb"(?<![\d.+-])(\d+) 0 R")
_STRUCT_PARENT = re.compile(rb"(/StructParents? )(\d+)")


def relocatable_pdf(data: bytes, *, prefix: str) -> bytes:
    """The tagged PDF `data`, as WeasyPrint writes it, ready for `merge_tagged_pdfs` (see the
    module's docstring). `prefix` goes before the IDs of its structure elements, to keep them
    unique in a merged PDF: each piece needs a prefix of its own."""
    piece = _Piece(data, prefix=prefix)
    catalog = piece.resolve(piece.trailer["Root"])
    if "StructTreeRoot" not in catalog:
        raise ValueError("The PDF to merge is not tagged")
    tree = piece.resolve(catalog["StructTreeRoot"])
    piece.numbers[piece.trailer["Root"].number] = _CATALOG
    piece.numbers[catalog["StructTreeRoot"].number] = _TREE_ROOT
    top = []
    for element in _items(piece.resolve(tree.get("K"))):
        resolved = piece.resolve(element)
        if isinstance(element, Ref) and resolved.get("S") == "Document":
            piece.numbers[element.number] = _DOCUMENT
            top.extend(piece.write(kid) for kid in _items(piece.resolve(resolved.get("K"))))
        else:
            top.append(piece.write(element))
    pages = [piece.number(page.number) for page in piece.pages(catalog["Pages"])]
    piece.copy_reached()
    parent_tree, highest = [], -1
    for key, value in piece.number_tree(tree.get("ParentTree")):
        resolved = piece.resolve(value)
        parent_tree.append((key, piece.write(resolved if isinstance(resolved, list) else value)))
        highest = max(highest, key)
    names = piece.resolve(catalog.get("Names")) or {}
    dests = [(_text(name), piece.write(value)) for name, value in piece.name_tree(names.get("Dests"))]
    outlines = piece.resolve(catalog.get("Outlines")) or {}
    outline = piece.outline(outlines.get("First"))
    first = {key: piece.write(catalog[key]) for key in ("Lang", "Metadata", "ViewerPreferences") if key in catalog}
    if "Info" in piece.trailer:
        first["Info"] = piece.write(piece.trailer["Info"])
    piece.copy_reached()  # what the ParentTree, destinations and metadata reached

    def text(value):
        return value.decode("latin-1")

    def outline_text(items):
        return [
            [title, None if dest is None else text(dest), closed, outline_text(kids)]
            for title, dest, closed, kids in items
        ]

    manifest = {
        "count": piece.count,
        "pages": pages,
        "top": [text(kid) for kid in top],
        "parent_tree": [[key, text(value)] for key, value in parent_tree],
        "next_key": max(highest + 1, int(tree.get("ParentTreeNextKey", 0))),
        "dests": [[name, text(value)] for name, value in dests],
        "outline": outline_text(outline),
        "first": {key: text(value) for key, value in first.items()},
        "links": [
            [number, text(body), url, text(action), None if contents is None else text(contents)]
            for number, body, url, action, contents in piece.links
        ],
        "struct_parents": piece.struct_parents,
        "objects": [[number, len(value)] for number, value in piece.objects],
        "streams": [[number, len(dictionary), len(stream)] for number, dictionary, stream in piece.streams],
    }
    texts = zlib.compress(b"".join(value for _, value in piece.objects))
    streams = b"".join(dictionary + stream for _, dictionary, stream in piece.streams)
    head = json.dumps(manifest, separators=(",", ":")).encode()
    return RELOCATABLE + b"%d %d %d\n" % (len(head), len(texts), len(streams)) + head + texts + streams


def _unpack(data: bytes):
    """The manifest, object texts and stream bytes of a relocatable piece."""
    line_end = data.index(b"\n", len(RELOCATABLE))
    sizes = [int(size) for size in data[len(RELOCATABLE) : line_end].split()]
    start = line_end + 1
    manifest = json.loads(data[start : start + sizes[0]])
    texts = zlib.decompress(data[start + sizes[0] : start + sizes[0] + sizes[1]])
    streams = data[start + sizes[0] + sizes[1] : start + sum(sizes)]
    return manifest, texts, streams


def relocatable_pages(data: bytes) -> int:
    """The number of pages of the relocatable piece `data`."""
    line_end = data.index(b"\n", len(RELOCATABLE))
    size = int(data[len(RELOCATABLE) : line_end].split()[0])
    return len(json.loads(data[line_end + 1 : line_end + 1 + size])["pages"])


class _Merge:
    """What `merge_tagged_pdfs` gathers from the pieces, piece by piece, for the end."""

    def __init__(self):
        self.out = _MergedPdf()
        self.page_numbers = []  # the merged PDF's object numbers of its pages
        self.labels = []  # (index of the first page, label prefix, roman)
        self.links = {}  # URL -> (object number of a piece's first page, title)
        self.link_annotations = []  # the first piece's links to URLs, written last
        self.parent_tree = []  # (key, value as bytes) of the merged ParentTree
        self.top = []  # the merged /Document element's kids, as bytes
        self.dests = []  # (name, destination as bytes)
        self.outline = []  # (title, destination as bytes, closed, children)
        self.first = None  # the first piece's /Lang, /Metadata, /ViewerPreferences and /Info, as bytes
        self.next_key = 0  # the next ParentTree key

    def add(self, index, piece, data):
        manifest, texts, streams = _unpack(data)
        base = self.out.count - _RESERVED
        self.out.count += manifest["count"] - _RESERVED
        offset = self.next_key

        def number(local):
            return local if local <= _RESERVED else local + base

        def renumbered(reference):
            return b"%d 0 R" % number(int(reference[1]))

        def shift(value):
            return _REFERENCE.sub(renumbered, value if isinstance(value, bytes) else value.encode("latin-1"))

        def moved_key(match):
            return match[1] + b"%d" % (int(match[2]) + offset)

        struct_parents = set(manifest["struct_parents"])
        position = 0
        for local, length in manifest["objects"]:
            value = shift(texts[position : position + length])
            position += length
            if local in struct_parents:
                value = _STRUCT_PARENT.sub(moved_key, value)
            self.out.write(number(local), value)
        position = 0
        for local, dictionary, length in manifest["streams"]:
            self.out.write_stream(
                number(local),
                shift(streams[position : position + dictionary]),
                streams[position + dictionary : position + dictionary + length],
            )
            position += dictionary + length
        for local, body, url, action, contents in manifest["links"]:
            body = _STRUCT_PARENT.sub(moved_key, shift(body))
            link = (number(local), body, url, shift(action), None if contents is None else shift(contents))
            if index == 0:
                self.link_annotations.append(link)
            else:
                self._write_link(link)
        self.labels.append((len(self.page_numbers), piece.label, piece.roman))
        pages = [number(local) for local in manifest["pages"]]
        if piece.link and pages:
            self.links[piece.link] = (pages[0], piece.title)
        self.page_numbers.extend(pages)
        self.top.extend(shift(kid) for kid in manifest["top"])
        self.parent_tree.extend((key + offset, shift(value)) for key, value in manifest["parent_tree"])
        self.next_key += manifest["next_key"]
        self.dests.extend((name, shift(value)) for name, value in manifest["dests"])

        def outline(items):
            return [
                (title, None if dest is None else shift(dest), closed, outline(kids))
                for title, dest, closed, kids in items
            ]

        self.outline.extend(outline(manifest["outline"]))
        if index == 0:
            self.first = {key: shift(value) for key, value in manifest["first"].items()}

    def _write_link(self, link, target=None):
        number, body, _url, action, contents = link
        if target is not None:
            page, title = target
            body += b"/Dest [%d 0 R /XYZ null null null] /Contents %s" % (page, _string(title))
        else:
            body += b"/A " + action + (b" /Contents " + contents if contents is not None else b"")
        self.out.write(number, body + b">>")

    def finish(self) -> bytes:
        if self.first is None:
            raise ValueError("No PDF to merge")
        for link in self.link_annotations:
            self._write_link(link, self.links.get(link[2]))
        return self.out.finish(
            page_numbers=self.page_numbers,
            labels=self.labels,
            parent_tree=self.parent_tree,
            next_key=self.next_key,
            top=self.top,
            dests=self.dests,
            outline=self.outline,
            first=self.first,
        )


# --- Reading: the objects' bytes, and the few objects parsed -----------------------------


class Ref(NamedTuple):
    """An indirect reference, to the object `number` (generation 0)."""

    number: int


class Name(str):
    """A PDF name, without its slash."""


_CLOSE_DICTIONARY, _CLOSE_ARRAY = object(), object()  # what _parse returns for ">>" and "]"
_LEXER = re.compile(
    rb"""\s*(?:
    (<<)|(>>)|(\[)|(\])
    |(\d+)\s+(\d+)\s+R(?![A-Za-z0-9])
    |([+-]?(?:\d+\.?\d*|\.\d+))
    |/([^\s/\[\]()<>{}%]*)
    |\(((?:[^\\()]|\\.)*)\)
    |<([0-9A-Fa-f\s]*)>
    |(true|false|null)
    )""",
    re.X | re.S,
)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _parse(data: bytes, position: int = 0):
    """The PDF object at `position` in `data`, and the position after it: a dict (keys are
    Names), list, Name, Ref, int, float, bytes (a string), True, False or None."""
    match = _LEXER.match(data, position)
    if match is None:
        raise ValueError(f"Unexpected PDF syntax: {data[position : position + 40]!r}")
    group, end = match.lastindex, match.end()
    if group == 1:
        dictionary = {}
        while True:
            key, end = _parse(data, end)
            if key is _CLOSE_DICTIONARY:
                return dictionary, end
            if not isinstance(key, Name):
                raise ValueError(f"A dictionary key that is not a name: {key!r}")
            value, end = _parse(data, end)
            dictionary[key] = value
    if group == 3:
        array = []
        while True:
            item, end = _parse(data, end)
            if item is _CLOSE_ARRAY:
                return array, end
            array.append(item)
    if group == 2:
        return _CLOSE_DICTIONARY, end
    if group == 4:
        return _CLOSE_ARRAY, end
    if group == 6:
        if match[6] != b"0":
            raise ValueError("A reference to an object of a generation other than 0")
        return Ref(int(match[5])), end
    if group == 7:
        number = match[7]
        return (float(number) if b"." in number else int(number)), end
    if group == 8:
        return Name(_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), match[8]).decode("latin-1")), end
    if group == 9:
        return _unescaped(match[9]), end
    if group == 10:
        return bytes.fromhex(re.sub(rb"\s", b"", match[10]).decode() + ("0" if len(match[10].strip()) % 2 else "")), end
    return {b"true": True, b"false": False, b"null": None}[match[11]], end


def _items(value):
    """`value` (an array, a single item, or nothing) as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: bytes) -> str:
    """A PDF text string's text (UTF-16 with its byte order mark, or PDFDocEncoding, which
    WeasyPrint only uses for ASCII)."""
    if value.startswith(b"\xfe\xff"):
        return value[2:].decode("utf-16-be")
    return value.decode("latin-1")


class _RawPdf:
    """The objects of a PDF as WeasyPrint (pydyf) writes it, as bytes: a cross-reference
    stream, the objects other than streams in object streams, no predictors, no encryption.
    Much faster than parsing each object: `relocatable_pdf` only renumbers references and
    rewrites strings, with regular expressions. Raises ValueError on anything else."""

    def __init__(self, data: bytes):
        self.data = data
        self.object_streams = {}  # number -> {number: bytes} of its objects
        found = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data[-1024:])
        if found is None:
            raise ValueError("No cross-reference stream")
        dictionary, stream = self._stream_at(int(found[1]))
        if b"/XRef" not in dictionary or b"/Predictor" in dictionary or b"/Encrypt" in dictionary:
            raise ValueError("Not a cross-reference stream as WeasyPrint writes it")
        self.trailer = _parse(dictionary)[0]
        widths = [int(w) for w in re.search(rb"/W\s*\[([\d\s]+)\]", dictionary)[1].split()]
        index = re.search(rb"/Index\s*\[([\d\s]+)\]", dictionary)
        size = int(re.search(rb"/Size\s+(\d+)", dictionary)[1])
        ranges = [int(n) for n in index[1].split()] if index else [0, size]
        rows = zlib.decompress(stream) if b"/FlateDecode" in dictionary else stream
        self.entries = {}  # number -> (1, offset) or (2, object stream, index)
        position = 0
        for first, count in zip(ranges[::2], ranges[1::2], strict=True):
            for number in range(first, first + count):
                fields = []
                for width in widths:
                    fields.append(int.from_bytes(rows[position : position + width], "big") if width else 1)
                    position += width
                if fields[0] in (1, 2):
                    self.entries[number] = tuple(fields)

    def _stream_at(self, offset):
        """The dictionary and (still encoded) data of the stream object at `offset`."""
        header = re.compile(rb"\s*\d+\s+\d+\s+obj\s*").match(self.data, offset)
        if header is None:
            raise ValueError(f"No object at {offset}")
        end = re.compile(rb">>\s*stream\r?\n").search(self.data, header.end())
        dictionary = self.data[header.end() : end.start() + 2]
        length = re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", dictionary)
        if length is None:
            raise ValueError("A stream's length is not given directly")
        return dictionary, self.data[end.end() : end.end() + int(length[1])]

    def get(self, number):
        """("object", bytes) or ("stream", dictionary, data as stored), or None if there is
        no such object."""
        entry = self.entries.get(number)
        if entry is None:
            return None
        if entry[0] == 2:
            container = entry[1]
            if container not in self.object_streams:
                dictionary, stream = self._stream_at(self.entries[container][1])
                if b"/Predictor" in dictionary:
                    raise ValueError("An object stream with a predictor")
                stream = zlib.decompress(stream) if b"/FlateDecode" in dictionary else stream
                count = int(re.search(rb"/N\s+(\d+)", dictionary)[1])
                first = int(re.search(rb"/First\s+(\d+)", dictionary)[1])
                pairs = [int(n) for n in stream[:first].split()[: 2 * count]]
                offsets = pairs[1::2] + [len(stream) - first]
                self.object_streams[container] = {
                    member: stream[first + offsets[i] : first + offsets[i + 1]].strip()
                    for i, member in enumerate(pairs[::2])
                }
            return ("object", self.object_streams[container][number])
        header = re.compile(rb"\s*\d+\s+\d+\s+obj\s*").match(self.data, entry[1])
        body = re.compile(rb">>\s*stream\r?\n|endobj").search(self.data, header.end())
        if body[0] == b"endobj":
            return ("object", self.data[header.end() : body.start()].strip())
        dictionary, stream = self._stream_at(entry[1])
        return ("stream", dictionary, stream)


# A token of an object that `relocatable_pdf` rewrites: a literal string (pydyf escapes every
# backslash and parenthesis in one), a hexadecimal string, or an indirect reference.
_TOKEN = re.compile(rb"(\((?:[^\\()]|\\.)*\))|(<[0-9A-Fa-f\s]*>)|(?<![\d.+-])(\d+) (\d+) R", re.S)
_ESCAPE = re.compile(rb"\\([nrtbf()\\]|[0-7]{1,3}|\r\n|\n|\r)")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}
_ID = re.compile(rb"(/ID\s*)<([0-9A-Fa-f\s]*)>")
_HEADERS = re.compile(rb"/Headers\s*\[([^\]]*)\]")
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")


def _unescaped(literal: bytes) -> bytes:
    """The bytes of a literal string's contents (without its parentheses)."""

    def unescape(match):
        code = match[1]
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        return b""  # a line continuation

    return _ESCAPE.sub(unescape, literal)


class _Piece:
    """One PDF being made relocatable (`relocatable_pdf`): its objects written out from
    their bytes, renumbered from 5 on, as they are reached."""

    def __init__(self, data, *, prefix):
        self.raw = _RawPdf(data)
        self.trailer = self.raw.trailer
        self.hex_prefix = prefix.encode().hex().encode()  # before the IDs of its structure elements
        self.parsed = {}  # number -> the object, for the few parsed
        self.count = _RESERVED
        self.numbers = {}  # the piece's object number -> the relocatable one
        self.reached = []  # the piece's object numbers reached, not written yet
        self.objects = []  # (number, bytes)
        self.streams = []  # (number, dictionary as bytes, stream data as stored)
        self.struct_parents = []  # numbers of the objects with a /StructParent(s) key
        # (number, the annotation's dictionary without /A, /Contents and its closing >>, URL,
        # /A, /Contents) of the links to URLs: completed when merged (to a piece's first
        # page if the URL is a piece's link, else as they were).
        self.links = []

    def resolve(self, value):
        """`value`, or the object it refers to, parsed."""
        if not isinstance(value, Ref):
            return value
        if value.number not in self.parsed:
            found = self.raw.get(value.number)
            if found is None:
                self.parsed[value.number] = None
            elif found[0] == "stream":
                raise ValueError(f"Object {value.number} is a stream, not parsed")
            else:
                self.parsed[value.number] = _parse(found[1])[0]
        return self.parsed[value.number]

    def number(self, source: int) -> int:
        """The relocatable number of the piece's object `source`, reserved (and the object
        reached, to be written) on first sight."""
        number = self.numbers.get(source)
        if number is None:
            self.count += 1
            number = self.numbers[source] = self.count
            self.reached.append(source)
        return number

    def write(self, value) -> bytes:
        """The parsed `value` written as PDF, its references renumbered, strings in hexadecimal."""
        if isinstance(value, Ref):
            return b"%d 0 R" % self.number(value.number)
        if isinstance(value, Name):
            return _name(value)
        if value is True or value is False:
            return b"true" if value else b"false"
        if value is None:
            return b"null"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, float):
            return (b"%f" % value).rstrip(b"0").rstrip(b".") or b"0"
        if isinstance(value, bytes):
            return _hex(value)
        if isinstance(value, list):
            return b"[" + b" ".join(self.write(item) for item in value) + b"]"
        return b"<<" + b"".join(_name(key) + b" " + self.write(item) + b" " for key, item in value.items()) + b">>"

    def pages(self, node):
        """The references of the pages under the page tree node `node`, in order; the nodes
        themselves all become the merged page tree."""
        resolved = self.resolve(node)
        if resolved.get("Type") != "Pages":
            return [node]
        self.numbers[node.number] = _PAGES
        return [page for kid in resolved.get("Kids", []) for page in self.pages(kid)]

    def number_tree(self, node):
        """The (key, value) pairs of a number tree, in order, the values unresolved."""
        node = self.resolve(node)
        if node is None:
            return []
        nums = self.resolve(node.get("Nums")) or []
        pairs = list(zip(nums[::2], nums[1::2], strict=True))
        return pairs + [pair for kid in self.resolve(node.get("Kids")) or [] for pair in self.number_tree(kid)]

    def name_tree(self, node):
        """The (name, value) pairs of a name tree, in order, the values unresolved."""
        node = self.resolve(node)
        if node is None:
            return []
        names = self.resolve(node.get("Names")) or []
        pairs = list(zip(names[::2], names[1::2], strict=True))
        return pairs + [pair for kid in self.resolve(node.get("Kids")) or [] for pair in self.name_tree(kid)]

    def outline(self, reference):
        """The outline items from `reference` on, with their children: [(title, destination
        as bytes, closed, children)]."""
        items = []
        while reference is not None:
            item = self.resolve(reference)
            destination = item.get("Dest")
            action = self.resolve(item.get("A")) or {}
            if destination is None and action.get("S") == "GoTo":
                destination = action.get("D")
            items.append(
                (
                    _text(self.resolve(item.get("Title", b""))),
                    None if destination is None else self.write(self.resolve(destination)),
                    int(item.get("Count", 0)) < 0,
                    self.outline(item.get("First")),
                )
            )
            reference = item.get("Next")
        return items

    def copy_reached(self):
        """Write every object reached and not written yet (and what they reach in turn), from
        its bytes: references renumbered, literal strings rewritten in hexadecimal, the IDs of
        structure elements and the /Headers naming them prefixed. A link to a URL is parsed:
        it is completed when merged."""
        while self.reached:
            source = self.reached.pop()
            number = self.numbers[source]
            found = self.raw.get(source)
            if found is None:
                self.objects.append((number, b"null"))
                continue
            if found[0] == "stream":
                self.streams.append((number, self._relocated(found[1]), found[2]))  # data as stored
                continue
            raw = found[1]
            if b"/StructParent" in raw:
                self.struct_parents.append(number)
            if b"/URI" in raw:
                annotation = self.resolve(Ref(source))
                action = self.resolve(annotation.get("A")) if isinstance(annotation, dict) else None
                if isinstance(action, dict) and action.get("S") == "URI":
                    body = b"<<" + b"".join(
                        _name(key) + b" " + self.write(value) + b" "
                        for key, value in annotation.items()
                        if key not in ("A", "Contents")
                    )
                    contents = self.write(annotation["Contents"]) if "Contents" in annotation else None
                    url = _text(self.resolve(action["URI"]))
                    self.links.append((number, body, url, self.write(action), contents))
                    continue
            value = self._relocated(raw)
            if b"/ID" in value:
                value = _ID.sub(lambda match: match[1] + b"<" + self.hex_prefix + match[2] + b">", value)
            if b"/Headers" in value:
                value = _HEADERS.sub(self._prefixed_headers, value)
            self.objects.append((number, value))

    def _prefixed_headers(self, match):
        return b"/Headers [" + _HEX.sub(lambda header: b"<" + self.hex_prefix + header[1] + b">", match[1]) + b"]"

    def _relocated(self, raw: bytes) -> bytes:
        def token(match):
            if match[1] is not None:
                return _hex(_unescaped(match[1][1:-1]))
            if match[2] is not None:
                return match[2]
            if match[4] != b"0":
                raise ValueError("A reference to an object of a generation other than 0")
            return b"%d 0 R" % self.number(int(match[3]))

        return _TOKEN.sub(token, raw)


# --- Writing -------------------------------------------------------------------------------

_NAMES = {}
_REGULAR = re.compile(rb"[^!-~]|[()<>\[\]{}/%#]")


def _name(name: str) -> bytes:
    """A PDF name as written (with # escapes), remembered: the same few names recur."""
    data = _NAMES.get(name)
    if data is None:
        data = _NAMES[name] = b"/" + _REGULAR.sub(lambda m: b"#%02x" % m[0][0], name.encode("utf-8"))
    return data


def _hex(data: bytes) -> bytes:
    return b"<" + data.hex().encode() + b">"


def _string(text: str) -> bytes:
    """A text string, in hexadecimal (see `relocatable_pdf`)."""
    try:
        return _hex(text.encode("ascii"))
    except UnicodeEncodeError:
        return _hex(b"\xfe\xff" + text.encode("utf-16-be"))


class _MergedPdf:
    """A PDF written object by object: streams as they come, other objects gathered into
    compressed object streams, then a cross-reference stream (PDF 1.5 and later)."""

    OBJECTS_PER_STREAM = 200

    def __init__(self):
        self.buffer = io.BytesIO()
        self.buffer.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.count = 0
        self.entries = {}  # number -> (1, offset) or (2, number of its object stream, index)
        self.pending = []  # (number, bytes) for the next object stream
        self.catalog = self.reserve()
        self.pages = self.reserve()
        self.tree_root = self.reserve()
        self.document = self.reserve()

    def reserve(self) -> int:
        self.count += 1
        return self.count

    def write(self, number, data: bytes):
        self.pending.append((number, data))
        if len(self.pending) >= self.OBJECTS_PER_STREAM:
            self._flush()

    def add(self, data: bytes) -> int:
        number = self.reserve()
        self.write(number, data)
        return number

    def write_stream(self, number, dictionary: bytes, data: bytes):
        self.entries[number] = (1, self.buffer.tell())
        self.buffer.write(b"%d 0 obj\n%s\nstream\n" % (number, dictionary))
        self.buffer.write(data)
        self.buffer.write(b"\nendstream\nendobj\n")

    def _flush(self):
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        number = self.reserve()
        offsets, body, position = [], [], 0
        for index, (member, data) in enumerate(pending):
            offsets.append(b"%d %d" % (member, position))
            body.append(data)
            position += len(data) + 1
            self.entries[member] = (2, number, index)
        head = b" ".join(offsets) + b"\n"
        data = zlib.compress(head + b"\n".join(body) + b"\n")
        self.write_stream(
            number,
            b"<</Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d>>" % (len(pending), len(head), len(data)),
            data,
        )

    def finish(self, *, page_numbers, labels, parent_tree, next_key, top, dests, outline, first) -> bytes:
        def references(numbers):
            return b" ".join(b"%d 0 R" % number for number in numbers)

        self.write(
            self.pages,
            b"<</Type /Pages /Kids [%s] /Count %d>>" % (references(page_numbers), len(page_numbers)),
        )
        self.write(
            self.document,
            b"<</Type /StructElem /S /Document /P %d 0 R /K [%s]>>" % (self.tree_root, b" ".join(top)),
        )
        nums = b" ".join(b"%d %s" % (key, value) for key, value in sorted(parent_tree, key=lambda item: item[0]))
        parent_tree_number = self.add(b"<</Nums [%s]>>" % nums)
        self.write(
            self.tree_root,
            b"<</Type /StructTreeRoot /K [%d 0 R] /ParentTree %d 0 R /ParentTreeNextKey %d>>"
            % (self.document, parent_tree_number, next_key),
        )
        label_nums = b" ".join(
            b"%d <</S %s%s>>" % (start, b"/r" if roman else b"/D", b" /P " + _string(prefix) if prefix else b"")
            for start, prefix, roman in labels
        )
        catalog = [
            b"/Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R" % (self.pages, self.tree_root),
            b"/MarkInfo <</Marked true>>",
            b"/ViewerPreferences " + first.get("ViewerPreferences", b"<</DisplayDocTitle true>>"),
            b"/PageLabels <</Nums [%s]>>" % label_nums,
        ]
        for key in ("Lang", "Metadata"):
            if key in first:
                catalog.append(_name(key) + b" " + first[key])
        if dests:
            names = b" ".join(_string(name) + b" " + value for name, value in sorted(dests, key=lambda item: item[0]))
            catalog.append(b"/Names <</Dests %d 0 R>>" % self.add(b"<</Names [%s]>>" % names))
        if outline:
            catalog.append(b"/Outlines %d 0 R" % self._write_outline(outline))
        self.write(self.catalog, b"<<" + b" ".join(catalog) + b">>")
        self._flush()

        # The cross-reference stream, which is the trailer too.
        number = self.reserve()
        offset = self.buffer.tell()
        self.entries[number] = (1, offset)
        rows = [struct.pack(">BIH", 0, 0, 65535)]
        for n in range(1, number + 1):
            entry = self.entries.get(n, (0, 0, 0))
            rows.append(struct.pack(">BIH", entry[0], entry[1], entry[2] if len(entry) == 3 else 0))
        identifier = hashlib.md5(self.buffer.getvalue(), usedforsecurity=False).hexdigest().encode()
        data = zlib.compress(b"".join(rows))
        info = b" /Info " + first["Info"] if "Info" in first else b""
        self.write_stream(
            number,
            b"<</Type /XRef /Size %d /W [1 4 2] /Root %d 0 R%s /ID [<%s> <%s>] /Filter /FlateDecode /Length %d>>"
            % (number + 1, self.catalog, info, identifier, identifier, len(data)),
            data,
        )
        self.buffer.write(b"startxref\n%d\n%%%%EOF\n" % offset)
        return self.buffer.getvalue()

    def _write_outline(self, items, parent=None):
        """Write outline `items` (from `_read_outline`); returns the outline dictionary's
        number (for children: (first, last, visible count))."""
        top = parent is None
        if top:
            parent = self.reserve()
        numbers = [self.reserve() for _ in items]
        visible = len(items)
        for index, (title, destination, closed, children) in enumerate(items):
            entry = [b"/Title " + _string(title), b"/Parent %d 0 R" % parent]
            if destination is not None:
                entry.append(b"/Dest " + destination)
            if children:
                first, last, count = self._write_outline(children, numbers[index])
                entry.append(b"/First %d 0 R /Last %d 0 R /Count %d" % (first, last, -count if closed else count))
                if not closed:
                    visible += count
            if index:
                entry.append(b"/Prev %d 0 R" % numbers[index - 1])
            if index + 1 < len(items):
                entry.append(b"/Next %d 0 R" % numbers[index + 1])
            self.write(numbers[index], b"<<" + b" ".join(entry) + b">>")
        if top:
            self.write(
                parent, b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>" % (numbers[0], numbers[-1], visible)
            )
            return parent
        return numbers[0], numbers[-1], visible
