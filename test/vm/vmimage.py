"""The guest side of vmrun: the initramfs (cpio "newc") and the cached ELF vmlinux it boots with.

Everything here is host-side preparation with no QEMU involved; vmrun (beside this file) runs the VM.
Standard library only (Python 3.11).
"""

import bz2
import contextlib
import fcntl
import gzip
import hashlib
import lzma
import os
import re
import shlex
import shutil
import stat
import subprocess
import zlib
from pathlib import Path

# Bump when the layout of the cached base archive or /init changes, so old caches are not reused.
FORMAT_VERSION = "1"
# Modules --all-ipvs-modules loads besides the ip_vs_* schedulers (dependencies such as nf_conntrack
# come in through `modprobe --show-depends`).
TOPOLOGY_MODULES = ["veth", "dummy", "macvlan", "ipip"]
# ip_vs_* modules that are not schedulers: application helpers and persistence engines (opt-in).
NOT_SCHEDULERS = re.compile(r"^ip_vs_(ftp|pe_.*)$")
GUEST_DIRS = ["dev", "proc", "sys", "tmp", "run", "root", "etc", "mnt", "var", "vmrun",
              "usr", "usr/bin", "usr/sbin", "usr/lib", "usr/local/bin", "usr/local/sbin"]
ETC_FILES = {
    "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    "etc/group": "root:x:0:\nnogroup:x:65534:\n",
    "etc/hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
    "etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n",
}
HOST_ETC_COPIES = ["/etc/protocols", "/etc/services"]

# PID 1 of the guest. Runs under busybox sh; everything it needs per run comes from /vmrun/run.conf.
INIT = r"""#!/bin/sh
# /init of a vmrun guest (test/vm/vmrun). Prints "GUEST-EXIT <status> <nonce>" and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
# shellcheck source=/dev/null  # written per run by vmrun
. /vmrun/run.conf
# The console is a UART: user-space writes sit in the tty buffer until the interrupt handler sends them.
# stty sets the attributes with TCSADRAIN, which waits until that buffer is empty, so nothing is lost to
# poweroff -f.
drain() { stty -F "$1" -echo 2>/dev/null; }
halt_guest() { drain /dev/console; poweroff -f; sleep 30; }
setup_error() { printf '\nGUEST-SETUP-ERROR %s %s\n' "$VMRUN_NONCE" "$*"; halt_guest; }
while read -r ko params; do
  [ -n "$ko" ] || continue
  # shellcheck disable=SC2086  # params are word-split on purpose: "name=value name2=value2"
  insmod "$ko" $params || echo "vmrun: insmod $ko failed"
done < /vmrun/modules.load
for m in $VMRUN_REQUIRED_MODULES; do
  [ -d "/sys/module/$m" ] || setup_error "module $m is not loaded"
done
ip link set lo up || setup_error "cannot bring lo up"
hostname vmrun
cd / || setup_error "cannot cd /"
# ttyS1 carries the script's output to the host byte for byte: no "\n" -> "\r\n" or other processing.
stty -F /dev/ttyS1 raw -echo || setup_error "cannot set up /dev/ttyS1"
echo "GUEST-START $VMRUN_NONCE"
/bin/sh "$VMRUN_SCRIPT" "$@" </dev/null >/dev/ttyS1 2>&1
rc=$?
drain /dev/ttyS1
drain /dev/console
echo "GUEST-EXIT $rc $VMRUN_NONCE"
halt_guest
"""


# PID 1 of the guest. Runs under busybox sh; everything it needs per run comes from /vmrun/run.conf.
INIT = r"""#!/bin/sh
# /init of a vmrun guest (test/vm/vmrun). Prints "GUEST-EXIT <status> <nonce>" and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
# shellcheck source=/dev/null  # written per run by vmrun
. /vmrun/run.conf
# The console is a UART: user-space writes sit in the tty buffer until the interrupt handler sends them.
# stty sets the attributes with TCSADRAIN, which waits until that buffer is empty, so nothing is lost to
# poweroff -f.
drain() { stty -F "$1" -echo 2>/dev/null; }
halt_guest() { drain /dev/console; poweroff -f; sleep 30; }
setup_error() { printf '\nGUEST-SETUP-ERROR %s %s\n' "$VMRUN_NONCE" "$*"; halt_guest; }
while read -r ko params; do
  [ -n "$ko" ] || continue
  # shellcheck disable=SC2086  # params are word-split on purpose: "name=value name2=value2"
  insmod "$ko" $params || echo "vmrun: insmod $ko failed"
done < /vmrun/modules.load
for m in $VMRUN_REQUIRED_MODULES; do
  [ -d "/sys/module/$m" ] || setup_error "module $m is not loaded"
done
ip link set lo up || setup_error "cannot bring lo up"
hostname vmrun
cd / || setup_error "cannot cd /"
# ttyS1 carries the script's output to the host byte for byte: no "\n" -> "\r\n" or other processing.
stty -F /dev/ttyS1 raw -echo || setup_error "cannot set up /dev/ttyS1"
echo "GUEST-START $VMRUN_NONCE"
/bin/sh "$VMRUN_SCRIPT" "$@" </dev/null >/dev/ttyS1 2>&1
rc=$?
drain /dev/ttyS1
drain /dev/console
echo "GUEST-EXIT $rc $VMRUN_NONCE"
halt_guest
"""


class HarnessError(Exception):
    """vmrun cannot run the guest (it exits 125)."""


# ---------------------------------------------------------------------------------------------- cpio

class CpioWriter:
    """Writes a cpio "newc" archive (the format the kernel's initramfs unpacker reads).

    Writing it here rather than with cpio(1) lets device nodes in without mknod and keeps every entry
    owned by root without a staging tree."""

    MTIME = 1_700_000_000

    def __init__(self, fp):
        self.fp = fp
        self.ino = 1

    def _entry(self, name, mode, size, rdev=(0, 0), nlink=1):
        encoded = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, nlink, self.MTIME, size, 0, 0, rdev[0], rdev[1], len(encoded), 0)
        self.ino += 1
        header = b"070701" + b"".join(b"%08X" % v for v in fields) + encoded
        self.fp.write(header + b"\0" * (-len(header) % 4))

    def _pad(self, size):
        self.fp.write(b"\0" * (-size % 4))

    def directory(self, name, mode=0o755):
        self._entry(name, stat.S_IFDIR | mode, 0, nlink=2)

    def symlink(self, name, target):
        data = target.encode()
        self._entry(name, stat.S_IFLNK | 0o777, len(data))
        self.fp.write(data)
        self._pad(len(data))

    def chardev(self, name, major, minor, mode=0o600):
        self._entry(name, stat.S_IFCHR | mode, 0, rdev=(major, minor))

    def data(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, len(data))
        self.fp.write(data)
        self._pad(len(data))

    def file(self, name, path, mode):
        with open(path, "rb") as src:
            size = os.fstat(src.fileno()).st_size
            self._entry(name, stat.S_IFREG | mode, size)
            left = size
            while left:
                chunk = src.read(min(left, 1 << 20))
                if not chunk:  # the header promised size bytes: a shorter file would corrupt the archive
                    raise HarnessError(f"{path} shrank while it was copied into the initramfs")
                self.fp.write(chunk)
                left -= len(chunk)
        self._pad(size)

    def trailer(self):
        self._entry("TRAILER!!!", 0, 0)


class GuestTree:
    """The guest's file tree as it is written into one or more concatenated cpio archives.

    Host files go to the same paths in the guest. Symlinked path components (Debian's merged /usr:
    /lib -> usr/lib) are mirrored as symlinks, so a later archive never tries to put a directory where an
    earlier one put a symlink (the kernel's unpacker cannot replace a non-empty directory)."""

    def __init__(self):
        self.kinds = {}  # guest path without leading "/" -> "dir" | "link" | "file"
        self.links = {}
        self.writer = None  # None: record the layout only (the archive bytes come from the cache)

    def bind(self, writer):
        self.writer = writer

    def _resolve(self, path, follow_last):
        """path with its components resolved through the guest's symlinks (the last one if asked)."""
        parts = [p for p in path.split("/") if p]
        done, i, hops = [], 0, 0
        while i < len(parts):
            candidate = "/".join(done + [parts[i]])
            if self.kinds.get(candidate) == "link" and (follow_last or i < len(parts) - 1):
                hops += 1
                if hops > 40:
                    raise HarnessError(f"too many levels of symbolic links in the guest: /{path}")
                target = self.links[candidate]
                base = "/" if target.startswith("/") else "/" + "/".join(done)
                parts = os.path.normpath(os.path.join(base, target)).strip("/").split("/") + parts[i + 1:]
                parts = [p for p in parts if p]
                done, i = [], 0
                continue
            done.append(parts[i])
            i += 1
        return "/".join(done)

    def mkdirs(self, path, mode=0o755):
        path = self._resolve(path, follow_last=True)
        prefix = []
        for part in [p for p in path.split("/") if p]:
            prefix.append(part)
            cur = "/".join(prefix)
            kind = self.kinds.get(cur)
            if kind is None:
                self.kinds[cur] = "dir"
                if self.writer:
                    self.writer.directory(cur, mode)
            elif kind != "dir":
                raise HarnessError(f"guest path /{cur} is a {kind}, cannot put a directory there")
        return path

    def _leaf(self, path, kind):
        path = self._resolve(path, follow_last=False)
        if not path:
            raise HarnessError("cannot replace the guest's /")
        if self.kinds.get(path) == "dir":
            raise HarnessError(f"guest path /{path} is a directory, cannot put a {kind} there")
        self.mkdirs(os.path.dirname(path))
        self.kinds[path] = kind
        return path

    def add_link(self, path, target):
        resolved = self._resolve(path, follow_last=False)
        if self.kinds.get(resolved) == "link" and self.links[resolved] == target:
            return
        path = self._leaf(path, "link")
        self.links[path] = target
        if self.writer:
            self.writer.symlink(path, target)

    def add_data(self, path, data, mode=0o644):
        path = self._leaf(path, "file")
        if self.writer:
            self.writer.data(path, data() if callable(data) else data, mode)

    def add_file(self, path, host_path, mode=None):
        path = self._leaf(path, "file")
        if self.writer:
            if mode is None:
                mode = stat.S_IMODE(os.stat(host_path).st_mode)
            self.writer.file(path, host_path, mode)

    def add_chardev(self, path, major, minor):
        path = self._leaf(path, "file")
        if self.writer:
            self.writer.chardev(path, major, minor)

    def mirror_host(self, host_path, _hops=0):
        """Puts host_path at the same path in the guest, mirroring the host's symlinks on the way."""
        if _hops > 40:
            raise HarnessError(f"too many levels of symbolic links: {host_path}")
        parts = [p for p in os.path.abspath(host_path).split("/") if p]
        for i in range(len(parts)):
            prefix = "/" + "/".join(parts[: i + 1])
            try:
                st = os.lstat(prefix)
            except OSError as e:
                raise HarnessError(f"cannot copy {host_path} into the guest: {e}") from e
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(prefix)
                self.add_link(prefix, target)
                resolved = os.path.normpath(os.path.join(os.path.dirname(prefix), target))
                return self.mirror_host(os.path.join(resolved, *parts[i + 1:]), _hops + 1)
            if i == len(parts) - 1:
                if stat.S_ISDIR(st.st_mode):
                    self.mkdirs(prefix)
                elif stat.S_ISREG(st.st_mode):
                    self.add_file(prefix, prefix)
                else:
                    raise HarnessError(f"cannot copy {host_path} into the guest: not a regular file")
        return None

    def copy_tree(self, host_path, guest_path):
        """--file SRC:DEST: SRC (file or directory tree) lands at DEST; symlinks inside stay symlinks."""
        try:
            st = os.lstat(host_path)
        except OSError as e:
            raise HarnessError(f"--file: {e}") from e
        if stat.S_ISDIR(st.st_mode):
            self.mkdirs(guest_path, stat.S_IMODE(st.st_mode))
            for entry in sorted(os.listdir(host_path)):
                self.copy_tree(os.path.join(host_path, entry), f"{guest_path.rstrip('/')}/{entry}")
        elif stat.S_ISLNK(st.st_mode):
            self.add_link(guest_path, os.readlink(host_path))
        elif stat.S_ISREG(st.st_mode):
            self.add_file(guest_path, host_path)
        else:
            raise HarnessError(f"--file: cannot copy {host_path}: not a file, directory or symlink")


# --------------------------------------------------------------------------------------- host facts

def version_key(text):
    return [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", text)]


def find_kernel(explicit):
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise HarnessError(f"kernel image {path} does not exist")
    else:
        # Debian 12's 6.1 kernels: vmlinuz-6.1.0-ABI-FLAVOUR; the generic amd64 flavour first (the cloud
        # and rt flavours leave modules out), then the newest ABI. Not 6.10 and later.
        candidates = sorted((p for p in Path("/boot").glob("vmlinuz-6.1*")
                             if re.match(r"vmlinuz-6\.1[.-]", p.name)),
                            key=lambda p: (p.name.endswith("-amd64") and "-cloud-" not in p.name
                                           and "-rt-" not in p.name, version_key(p.name)))
        if not candidates:
            raise HarnessError("no /boot/vmlinuz-6.1* found: "
                               "apt-get install linux-image-amd64 (Debian 12's 6.1)")
        path = candidates[-1]
    match = re.match(r"vmlinuz-(.+)$", path.name)
    if not match:
        raise HarnessError(f"cannot tell the kernel version from {path.name} (want vmlinuz-VERSION)")
    kver = match.group(1)
    if not Path(f"/lib/modules/{kver}/modules.dep").is_file():
        raise HarnessError(f"/lib/modules/{kver}/modules.dep missing: "
                           f"the modules of {kver} are not installed")
    if not os.access(path, os.R_OK):
        raise HarnessError(f"{path} is not readable (run as root)")
    return path, kver


def find_tool(name, package, extra_dirs=("/usr/sbin", "/sbin", "/usr/bin", "/bin")):
    found = shutil.which(name)
    if not found:
        for d in extra_dirs:
            if os.access(os.path.join(d, name), os.X_OK):
                return os.path.join(d, name)
        raise HarnessError(f"{name} not found: apt-get install {package}")
    return found


def ldd_paths(binary):
    """Libraries and the dynamic loader a binary needs, as ldd lists them; [] for static binaries."""
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=False)
    except FileNotFoundError as e:
        raise HarnessError("ldd not found: apt-get install libc-bin") from e
    if out.returncode != 0:
        if "not a dynamic executable" in out.stdout + out.stderr:
            return []
        raise HarnessError(f"ldd {binary} failed: {out.stderr.strip()}")
    paths = []
    for line in out.stdout.splitlines():
        if "=> not found" in line:
            raise HarnessError(f"ldd {binary}: {line.strip()}")
        match = re.search(r"=>\s+(/\S+)", line) or re.match(r"\s*(/\S+)", line)
        if match:
            paths.append(match.group(1))
    return paths


def resolve_modules(specs, kver, modprobe):
    """[(module, params)] -> ([(host .ko path, params)] in load order, dependencies first;
    names of the requested modules, as /sys/module shows them once loaded)."""
    order, params_of, required = [], {}, []
    builtin = {module_stem(p) for p in Path(f"/lib/modules/{kver}/modules.builtin").read_text().split()}
    for name, params in specs:
        out = subprocess.run([modprobe, "-S", kver, "--show-depends", name],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            raise HarnessError(f"module {name} not found for {kver}: {out.stderr.strip()}")
        # One "insmod PATH [host options]" line per module, the requested one last; "builtin NAME" for
        # modules compiled in. Options from the host's /etc/modprobe.d are dropped: the guest loads
        # plain modules plus what --module asks for.
        own = None
        for line in out.stdout.splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[0] == "insmod":
                own = fields[1]
                if own not in params_of:
                    order.append(own)
                    params_of[own] = ""
            elif len(fields) >= 2 and fields[0] == "builtin":
                own = None
        if own is None or module_stem(name) in builtin:
            if params:
                raise HarnessError(f"module {name} is built into {kver}: pass its options with "
                                   f"--append {name}.OPTION=VALUE")
            continue
        if params:
            params_of[own] = (params_of[own] + " " + params).strip()
        required.append(module_stem(own))
    return [(path, params_of[path]) for path in order], list(dict.fromkeys(required))


def module_stem(path):
    return re.sub(r"\.ko(\.(xz|zst|gz))?$", "", os.path.basename(path)).replace("-", "_")


def all_ipvs_modules(kver):
    ipvs_dir = Path(f"/lib/modules/{kver}/kernel/net/netfilter/ipvs")
    names = sorted({module_stem(p.name) for p in ipvs_dir.glob("ip_vs_*.ko*")})
    schedulers = [n for n in names if not NOT_SCHEDULERS.match(n)]
    if not schedulers:
        raise HarnessError(f"no ip_vs_* scheduler modules under {ipvs_dir}")
    return ["ip_vs"] + schedulers + TOPOLOGY_MODULES


def read_module(path):
    """The plain ELF of a module (busybox insmod cannot read .ko.xz / .ko.zst / .ko.gz)."""
    if path.endswith(".xz"):
        return lzma.decompress(Path(path).read_bytes())
    if path.endswith(".gz"):
        return gzip.decompress(Path(path).read_bytes())
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dcq", path], capture_output=True, check=True).stdout
    return Path(path).read_bytes()


# -------------------------------------------------------------------------------------------- cache

@contextlib.contextmanager
def locked(lock_path):
    """Serialises concurrent vmrun processes building the same cache entry."""
    with open(lock_path, "a+b") as fp:
        fcntl.flock(fp, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fp, fcntl.LOCK_UN)


def cached(cache_dir, name, build):
    """Returns cache_dir/name, calling build(tmp_path) to create it first if it is missing.

    build writes a temporary file in the same directory which is renamed into place, so a reader never
    sees a half-written entry, even with several vmrun runs in parallel (ctest -j)."""
    target = cache_dir / name
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with locked(cache_dir / f".{name}.lock"):
        if target.is_file():
            return target
        tmp = cache_dir / f".{name}.{os.getpid()}.tmp"
        try:
            build(tmp)
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    return target


def stat_key(*paths):
    h = hashlib.sha256(FORMAT_VERSION.encode())
    for p in paths:
        st = os.stat(p)
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h


def extract_vmlinux(vmlinuz, out_path):
    """Finds the compressed payload inside a bzImage and writes the ELF vmlinux it holds.

    QEMU boots an ELF vmlinux through its PVH entry, which skips the ~3 s the bzImage's own
    decompressor spends under TCG."""
    blob = Path(vmlinuz).read_bytes()
    magics = [(b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"\x1f\x8b\x08", "gzip"),
              (b"BZh", "bzip2")]
    for magic, kind in magics:
        start = blob.find(magic)
        while start != -1:
            data = b""
            try:
                if kind == "xz":
                    data = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(blob[start:])
                elif kind == "gzip":
                    data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(blob[start:])
                elif kind == "bzip2":
                    data = bz2.BZ2Decompressor().decompress(blob[start:])
                else:
                    data = subprocess.run(["zstd", "-dcq"], input=blob[start:], capture_output=True).stdout
            except (lzma.LZMAError, zlib.error, OSError, ValueError):
                pass
            if data[:4] == b"\x7fELF":
                Path(out_path).write_bytes(data)
                return
            start = blob.find(magic, start + 1)
    raise HarnessError(f"found no compressed ELF kernel inside {vmlinuz}")


def prune(cache_dir, pattern, keep):
    for old in cache_dir.glob(pattern):
        if old.name != keep.name:
            with contextlib.suppress(OSError):
                old.unlink()


# ------------------------------------------------------------------------------------------ archives

def populate_base(tree, busybox, kver, modules):
    """The part of the initramfs shared by runs with the same kernel and module set (cached)."""
    for top in ("bin", "sbin", "lib", "lib64"):
        if os.path.islink(f"/{top}"):
            tree.add_link(top, os.readlink(f"/{top}"))
        else:
            tree.mkdirs(top)
    for d in GUEST_DIRS:
        tree.mkdirs(d, 0o1777 if d == "tmp" else 0o755)
    tree.add_chardev("dev/console", 5, 1)
    tree.add_chardev("dev/null", 1, 3)
    for path in [busybox] + ldd_paths(busybox):
        tree.mirror_host(path)
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for applet in applets:
        if tree.kinds.get(tree._resolve(f"bin/{applet}", follow_last=False)) is None:
            tree.add_link(f"bin/{applet}", busybox)
    for name, text in ETC_FILES.items():
        tree.add_data(name, text.encode())
    for path in HOST_ETC_COPIES:
        if os.path.isfile(path):
            tree.add_file(path, path, 0o644)
    tree.add_data("init", INIT.encode(), 0o755)
    for ko, guest_ko in modules:
        tree.mirror_host(os.path.dirname(ko))
        if ko == guest_ko:
            tree.mirror_host(ko)
        else:
            tree.add_data(guest_ko, lambda ko=ko: read_module(ko))


def guest_module_path(ko):
    return re.sub(r"\.(xz|zst|gz)$", "", ko)


def build_base(cache_dir, busybox, kver, insmods):
    """Returns (path of the cached base archive, GuestTree describing what it holds)."""
    modules = [(ko, guest_module_path(ko)) for ko, _ in insmods]
    h = stat_key(busybox, f"/lib/modules/{kver}/modules.dep", *[ko for ko, _ in modules])
    h.update(INIT.encode() + kver.encode())
    for top in ("bin", "sbin", "lib", "lib64"):
        h.update(f"{top}->{os.readlink('/' + top) if os.path.islink('/' + top) else ''}\0".encode())
    tree = GuestTree()
    built = []

    def build(tmp):
        with open(tmp, "wb") as fp:
            writer = CpioWriter(fp)
            tree.bind(writer)
            populate_base(tree, busybox, kver, modules)
            writer.trailer()
            tree.bind(None)
        built.append(True)

    path = cached(cache_dir / kver, f"base-{h.hexdigest()[:16]}.cpio", build)
    if not built:
        populate_base(tree, busybox, kver, modules)  # layout only: the bytes are in the cache
    return path, tree


def add_stripped_binary(tree, binary, out_path):
    """Puts a --binary into the guest without its debug sections.

    A RelWithDebInfo ipvsd is >100 MB of DWARF; the guest unpacks the initramfs into RAM, and at 512 MiB
    the unpacker ran out ("Initramfs unpacking failed: write error"). Symlinked paths are mirrored as they are."""
    if os.path.islink(binary) or not os.path.isfile(binary):
        tree.mirror_host(binary)
        return
    stripped = f"{out_path}.strip"
    result = subprocess.run(["objcopy", "--strip-debug", binary, stripped], capture_output=True, text=True,
                            check=False)
    try:
        if result.returncode != 0:  # not an ELF object (a script): copy it as it is
            tree.mirror_host(binary)
            return
        tree.add_file(os.path.abspath(binary), stripped, stat.S_IMODE(os.stat(binary).st_mode))
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(stripped)


def build_initrd(out_path, base_path, tree, run):
    """The cached base archive followed by this run's own archive: binaries, files, script, config.

    The kernel unpacks concatenated cpio archives one after the other, later entries replacing earlier
    ones, so the per-run part never needs the base rebuilt. run is the parsed command line."""
    shutil.copyfile(base_path, out_path)
    with open(out_path, "ab") as fp:
        writer = CpioWriter(fp)
        tree.bind(writer)
        for binary in run.binaries:
            add_stripped_binary(tree, binary, out_path)
            for path in ldd_paths(binary):
                tree.mirror_host(path)
        for spec in run.files:
            src, sep, dest = spec.rpartition(":")
            if not sep or not src or not dest.startswith("/"):
                raise HarnessError(f"--file {spec}: want SRC:DEST with an absolute DEST")
            tree.copy_tree(src, dest)
        tree.add_data(run.script_path, run.script_data, 0o755)
        tree.add_data("vmrun/modules.load",
                      "".join(f"{guest_module_path(ko)} {params}\n" for ko, params in run.insmods).encode())
        conf = [f"VMRUN_NONCE={run.nonce}", f"VMRUN_SCRIPT={shlex.quote(run.script_path)}",
                f"VMRUN_REQUIRED_MODULES={shlex.quote(' '.join(run.required))}"]
        for env in run.env:
            name, sep, value = env.partition("=")
            if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise HarnessError(f"--env {env}: want NAME=VALUE")
            conf.append(f"export {name}={shlex.quote(value)}")
        conf.append("set -- " + " ".join(shlex.quote(a) for a in run.args))
        tree.add_data("vmrun/run.conf", ("\n".join(conf) + "\n").encode())
        writer.trailer()
        tree.bind(None)


def vmlinux_for(cache_dir, vmlinuz, kver):
    """The ELF vmlinux inside vmlinuz, extracted once per kernel build and cached."""
    vmlinux = cached(cache_dir / kver, f"vmlinux-{stat_key(vmlinuz).hexdigest()[:16]}",
                     lambda tmp: extract_vmlinux(vmlinuz, tmp))
    prune(cache_dir / kver, "vmlinux-*", vmlinux)  # an older build of the same version
    return vmlinux


def find_busybox():
    for candidate in ("/bin/busybox", "/usr/bin/busybox"):
        if os.access(candidate, os.X_OK):
            return candidate
    raise HarnessError("busybox not found: apt-get install busybox-static")
