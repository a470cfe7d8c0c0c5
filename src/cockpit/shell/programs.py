"""The one table of programs: which command-line programs the cockpit knows, and what kind each is.

`lookup(name)` -> `Program` (or None for a program nobody listed). Kinds:

- `shell`: runs shell code (`sh -c`, a script, or its stdin): sh, bash, zsh…
- `interpreter`: runs code in another language: python, perl, ruby, node, awk…
- `wrapper`: runs another command given in its arguments: env, command, timeout, nohup, nice,
  stdbuf, sudo, watch, xargs… (`WRAPPERS` says how to find that command, `unwrap` finds it)
- `builtin-code`: shell builtins that run text as code or change what a name runs: eval, source,
  `.`, trap, alias, hash, enable, mapfile, declare…
- `cluster`: talks to a cluster's API (kubectl, helm, argocd, velero, flux…): its verbs decide
- `remote`: runs or copies on another host: ssh, scp, rsync, sftp
- `network`: talks to a service (curl, wget, nc, psql, redis-cli…): its arguments decide
- `read`: prints, searches or computes, changes nothing on its own (cat, grep, jq, ls, date…);
  a few have options that write (`sort -o`, `sed -i`, `tee FILE`): the classifier checks those
- `write`: changes local files, processes or the machine (rm, mv, cp, kill, mkdir, apt…)
- `tool`: other known programs whose effect depends on what they are asked (make, git, docker…)

`terminal` on a Program says why it needs the real terminal ("" when it does not).

Names are program names as typed; `program_name(word)` maps `/usr/bin/kubectl` to `kubectl`
(only for the standard bin folders: `./kubectl` or `/tmp/kubectl` is a script, not kubectl).
Pure data and functions: no imports from the rest of the cockpit.
"""

from __future__ import annotations

from dataclasses import dataclass

SHELL = "shell"
INTERPRETER = "interpreter"
WRAPPER = "wrapper"
BUILTIN_CODE = "builtin-code"
CLUSTER = "cluster"
REMOTE = "remote"
NETWORK = "network"
READ = "read"
WRITE = "write"
TOOL = "tool"


@dataclass(frozen=True, slots=True)
class Program:
    name: str
    kind: str
    terminal: str = ""  # why it needs the real terminal, "" when it does not


_TABLE_TEXT = {
    SHELL: "sh bash zsh dash ksh mksh fish ash busybox csh tcsh",
    INTERPRETER: """
        python python2 python3 python3.8 python3.9 python3.10 python3.11 python3.12 python3.13
        pypy pypy3 perl ruby irb node nodejs deno bun php lua luajit tclsh wish Rscript R pwsh
        powershell jshell groovy scala osascript expect awk gawk mawk nawk busybox-awk julia
    """,
    WRAPPER: """
        env command builtin exec nohup time nice ionice stdbuf chrt taskset timeout setsid sudo
        doas su runuser unbuffer flock watch xargs parallel
    """,
    BUILTIN_CODE: """
        eval source . trap alias unalias hash enable mapfile readarray declare typeset local
        readonly let shopt compgen complete fc bind coproc caller getopts
    """,
    CLUSTER: """
        kubectl k oc helm argocd velero flux fluxctl istioctl linkerd cilium calicoctl cmctl k9s
        kubectx kubens kustomize stern kubeseal kubeadm kubelet kind minikube k3s k3d crictl ctr
        etcdctl eksctl helmfile
    """,
    REMOTE: "ssh scp sftp rsync mosh",
    NETWORK: """
        curl wget http https httpie xh grpcurl nc ncat netcat telnet socat psql mysql mariadb
        mongosh mongo redis-cli cqlsh clickhouse-client sqlite3 trino pg_isready pg_dump mysqldump
        openssl kafka-topics kafka-console-consumer kafka-consumer-groups mc rclone s3cmd vault
        consul nomad aws gcloud gsutil bq az doctl oci promtool amtool logcli vmctl grafana-cli
    """,
    READ: """
        echo printf cat tac nl grep egrep fgrep zgrep rg ag ack jq yq gojq jp wc head tail sort
        uniq cut tr column paste join comm diff cmp fold fmt expand unexpand rev seq numfmt bc expr
        date sleep true false test [ [[ : ls ll pwd cd pushd popd dirs export unset set shift exit
        return break continue wait jobs fg bg disown read umask ulimit type which whereis basename
        dirname realpath readlink stat file find tee base64 base32 basenc md5sum sha1sum sha224sum
        sha256sum sha384sum sha512sum b2sum cksum sum xxd od hexdump strings less more most man
        info dig nslookup host ping ping6 traceroute tracepath mtr whois ss netstat ip ifconfig
        route arp df du free uptime uname hostname whoami id groups getent locale nproc lscpu lsblk
        findmnt lsof ps pgrep pidof top htop btop atop iotop printenv tty stty tput clear reset
        history envsubst tree zcat zless bzcat xzcat gzip gunzip tar unzip journalctl dmesg
        systemctl service sed iptables ip6tables nft tcpdump yes help times
    """,
    WRITE: """
        rm rmdir mv cp ln mkdir touch chmod chown chgrp truncate shred dd install mktemp split
        csplit zip bzip2 xz unxz patch kill pkill killall shutdown reboot halt poweroff mount
        umount apt apt-get yum dnf apk brew snap pip pip3 pipx npm npx yarn pnpm gem cargo go uv
        poetry useradd userdel usermod passwd crontab logger
    """,
    TOOL: """
        git gh glab make cmake docker podman nerdctl buildah skopeo crane cosign trivy terraform
        tofu terragrunt packer ansible ansible-playbook java mvn gradle dotnet vi vim nvim view
        nano emacs pico ed code tmux screen
        ceph rados rbd radosgw-admin cephadm patronictl pg_ctl pg_ctlcluster pg_basebackup
        pg_restore pg_dumpall pgbackrest barman repmgr mysqladmin nodetool rabbitmqctl
        rabbitmq-diagnostics kafka-configs kafka-acls gitlab-ctl gitlab-rake gitlab-backup knife
        chef-client salt salt-call puppet pulumi openstack virsh sops skaffold tilt tkn kn vcluster
        restic borg certbot step sysctl modprobe strace iostat vmstat sar nginx haproxy apachectl
        kubeconform kubeval conftest opa kyverno popeye pluto update-ca-certificates keytool
    """,
}

_TERMINAL = {
    "less": "less needs the terminal",
    "more": "more needs the terminal",
    "most": "most needs the terminal",
    "man": "man needs the terminal",
    "info": "info needs the terminal",
    "zless": "zless needs the terminal",
    "top": "top is a full-screen program",
    "htop": "htop is a full-screen program",
    "btop": "btop is a full-screen program",
    "atop": "atop is a full-screen program",
    "iotop": "iotop is a full-screen program",
    "mtr": "mtr is a full-screen program",
    "k9s": "k9s is a full-screen program",
    "tmux": "tmux is a full-screen program",
    "screen": "screen is a full-screen program",
    "vi": "vi needs the terminal",
    "vim": "vim needs the terminal",
    "nvim": "nvim needs the terminal",
    "view": "view needs the terminal",
    "nano": "nano needs the terminal",
    "emacs": "emacs needs the terminal",
    "pico": "pico needs the terminal",
    "ssh": "ssh may prompt and opens a remote shell",
    "mosh": "mosh opens a remote shell",
    "sftp": "sftp is interactive",
    "telnet": "telnet is interactive",
    "passwd": "passwd prompts for a password",
}

PROGRAMS: dict[str, Program] = {
    name: Program(name, kind, _TERMINAL.get(name, ""))
    for kind, text in _TABLE_TEXT.items()
    for name in text.split()
}
KNOWN_PROGRAMS = frozenset(PROGRAMS)

# Folders whose programs are the ones their names say: `/usr/bin/kubectl` is kubectl.
STANDARD_BIN_DIRS = frozenset(
    {
        "/bin",
        "/sbin",
        "/usr/bin",
        "/usr/sbin",
        "/usr/local/bin",
        "/usr/local/sbin",
        "/opt/homebrew/bin",
        "/snap/bin",
    }
)


def lookup(name: str) -> Program | None:
    """The table's entry for a program name (`kubectl`), or None when it is not known."""
    return PROGRAMS.get(name)


def kind_of(name: str) -> str:
    """The program's kind, or "" for an unknown program."""
    program = PROGRAMS.get(name)
    return program.kind if program is not None else ""


def program_name(word: str) -> str | None:
    """The program a command word names: `kubectl` for `kubectl` and `/usr/bin/kubectl`; None for
    a path outside the standard bin folders (`./fix.sh`, `~/bin/kubectl`, `/tmp/x`): a script."""
    if "/" not in word:
        return word
    folder, _, name = word.rpartition("/")
    folder = folder.rstrip("/") or "/"
    if folder in STANDARD_BIN_DIRS and name:
        return name
    return None


# ---- wrappers: where the wrapped command starts ------------------------------------------------


@dataclass(frozen=True, slots=True)
class WrapperSpec:
    """How a wrapper's arguments read: options that take a value (`-n 5`, also `-n5`/`--x=5`),
    how many positional words come before the wrapped command (timeout's duration), options
    that mean no command is run (`command -v`), and options that make it run text as shell code
    (`env -S`, `sudo -s`, `flock -c`, `su -c`)."""

    value_options: frozenset[str] = frozenset()
    positional: int = 0
    no_command: frozenset[str] = frozenset()
    runs_code: frozenset[str] = frozenset()
    assignments: bool = False  # NAME=value words before the command (env)


def _spec(
    values: str = "",
    positional: int = 0,
    no_command: str = "",
    runs_code: str = "",
    assignments: bool = False,
) -> WrapperSpec:
    return WrapperSpec(
        frozenset(values.split()),
        positional,
        frozenset(no_command.split()),
        frozenset(runs_code.split()),
        assignments,
    )


WRAPPERS: dict[str, WrapperSpec] = {
    "env": _spec("-u --unset -C --chdir", runs_code="-S --split-string", assignments=True),
    "command": _spec(no_command="-v -V"),
    "builtin": _spec(),
    "exec": _spec("-a"),
    "nohup": _spec(),
    "time": _spec("-f --format -o --output"),  # -o FILE writes a file: the classifier checks it
    "nice": _spec("-n --adjustment"),
    "ionice": _spec("-c --class -n --classdata", no_command="-p --pid -P --pgid -u --uid"),
    "stdbuf": _spec("-i --input -o --output -e --error"),
    "chrt": _spec("-T -P -D", positional=1, no_command="-p --pid -m --max"),
    "taskset": _spec(positional=1, no_command="-p --pid"),
    "timeout": _spec("-s --signal -k --kill-after", positional=1),
    "setsid": _spec(),
    "sudo": _spec(
        "-u --user -g --group -p --prompt -C --close-from -D --chdir -r --role -t --type -U "
        "--other-user -T --command-timeout -h --host -R --chroot",
        no_command="-l --list -v --validate -k --reset-timestamp -K --remove-timestamp -V --version",
        runs_code="-s --shell -i --login -e --edit",
    ),
    "doas": _spec("-u -C", runs_code="-s"),
    "su": _spec("-g --group -G --supp-group -s --shell -w --whitelist-environment", runs_code="-c --command"),
    "runuser": _spec("-u --user -g --group -G", runs_code="-c --command"),
    "unbuffer": _spec(),
    "flock": _spec("-w --wait --timeout -E --conflict-exit-code", positional=1, runs_code="-c --command"),
    "watch": _spec("-n --interval -q --equexit"),  # joins its words into `sh -c` (unless -x)
    "xargs": _spec(
        "-a --arg-file -E -e --eof -I -i --replace -L -l --max-lines -n --max-args -P --max-procs "
        "-s --max-chars -d --delimiter --process-slot-var"
    ),
    "parallel": _spec(runs_code="--shebang"),
}


@dataclass(frozen=True, slots=True)
class Unwrapped:
    """What `unwrap` found: the wrappers in order, where the wrapped command starts in the word
    list (None when there is no command, or it cannot be told), and why it cannot be told."""

    wrappers: tuple[str, ...]
    start: int | None
    uncertain: str = ""  # "" or why the wrapped command is not known ("env -S runs a string")


def _split_option(word: str, values: frozenset[str]) -> tuple[str, bool]:
    """(the option's name, whether its value is attached: `-n5`, `--interval=5`)."""
    if word.startswith("--"):
        name, eq, _ = word.partition("=")
        return name, bool(eq)
    if len(word) > 2 and word[:2] in values:
        return word[:2], True
    return word, False


def unwrap_one(name: str, args: list[str | None]) -> tuple[int | None, str]:
    """Where the command wrapped by `name` starts in `args` (None: no command), and "" or why it
    cannot be told. `args` holds each word's literal value, None for a word that expands."""
    spec = WRAPPERS.get(name)
    if spec is None:
        return 0, ""
    i = 0
    positional = spec.positional
    while i < len(args):
        word = args[i]
        if word is None:
            if positional == 0:
                return i, ""  # the wrapped program itself expands: the caller judges that
            return None, f"{name} has an argument that expands"
        if word == "--":
            i += 1
            break
        if spec.assignments and "=" in word and word.split("=", 1)[0].isidentifier():
            i += 1
            continue
        if word.startswith("-") and word != "-" and not (name == "nice" and word[1:].isdigit()):
            option, attached = _split_option(word, spec.value_options | spec.runs_code | spec.no_command)
            if option in spec.runs_code or _cluster_has(option, spec.runs_code):
                return None, f"{name} {option} runs text as shell code"
            if option in spec.no_command or _cluster_has(option, spec.no_command):
                return None, ""
            if option in spec.value_options and not attached:
                i += 1
            elif name == "env" and word == "-":
                pass
            i += 1
            continue
        if name == "nice" and word.startswith("-"):
            i += 1
            continue
        if positional > 0:
            positional -= 1
            i += 1
            continue
        break
    if positional > 0 or i >= len(args):
        return None, ""
    return i, ""


def _cluster_has(option: str, options: frozenset[str]) -> bool:
    """`-is` contains `-s`: a short-option cluster that includes one of `options`."""
    if option.startswith("--") or len(option) < 3:
        return False
    return any(f"-{c}" in options for c in option[1:])


def unwrap(words: list[str | None]) -> Unwrapped:
    """Skip wrappers from the start of a command's words (`sudo -u x timeout 5 nice kubectl get`)
    to the program they run. `words` holds literal values, None for words that expand."""
    wrappers: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word is None:
            return Unwrapped(tuple(wrappers), i)
        name = program_name(word)
        if name is None or name not in WRAPPERS or name in ("watch", "xargs", "parallel"):
            return Unwrapped(tuple(wrappers), i)
        wrappers.append(name)
        start, why = unwrap_one(name, words[i + 1 :])
        if why:
            return Unwrapped(tuple(wrappers), None, why)
        if start is None:
            return Unwrapped(tuple(wrappers), None)
        i += 1 + start
    return Unwrapped(tuple(wrappers), None)
