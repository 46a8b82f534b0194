# Drover's fork server: starts the jobs of a LocalScheduler, so that the JVM launches one process
# (this one) instead of one per job. Each job costs one posix_spawn (vfork + exec in glibc: no copy
# of this process, one exec), where the JDK's default launch costs two execs (jspawnhelper, then the
# program). Requests arrive on stdin as NUL-terminated fields; nothing is evaluated:
#   S id dir stdout stderr n-unset name... n-env NAME=value... n-argv word...   start a job
#   K signal pgid                                                            signal a job's group
# Reports go to stdout, one line per write:
#   P id pid      the job runs as pid, leader of its own process group
#   N id what     it cannot start: what is dir, stdout, stderr or command
#   X id status   it ended: its exit code, or 128+signal
# Exits are seen through pidfds in the same poll as stdin: nothing polls on a timer. At the end of
# stdin the server waits for its jobs, then exits.
import os
import select
import signal

KEEP_COERCE = os.environb.pop(b"DROVER_FORK_SERVER_KEEP_COERCE", None)
BASE_ENV = dict(os.environb)
if KEEP_COERCE is None:
    BASE_ENV.pop(b"PYTHONCOERCECLOCALE", None)   # set by the JVM side only to keep this process's locale out of jobs
# The JVM and Python ignore or block some signals; a job starts with every signal at its default.
DEFAULT_SIGNALS = [s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP) and s < 32]


def report(line):
    os.write(1, line.encode() + b"\n")


def start(fields, jobs, poller):
    job_id, directory, out, err = fields[0], fields[1], fields[2], fields[3]
    i = 4
    n = int(fields[i]); unset = fields[i + 1:i + 1 + n]; i += 1 + n
    n = int(fields[i]); env = fields[i + 1:i + 1 + n]; i += 1 + n
    n = int(fields[i]); argv = fields[i + 1:i + 1 + n]
    jid = job_id.decode()
    e = dict(BASE_ENV)
    for name in unset:
        e.pop(name, None)
    for pair in env:
        name, _, value = pair.partition(b"=")
        e[name] = value
    opened = []
    try:
        what = "stdout"
        opened.append(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666))
        what = "stderr"
        opened.append(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666))
        opened.append(os.open(b"/dev/null", os.O_RDONLY))
        what = "dir"
        os.chdir(directory)   # single-threaded: the child inherits it
        what = "command"
        pid = os.posix_spawnp(argv[0], argv, e, file_actions=[
            (os.POSIX_SPAWN_DUP2, opened[2], 0), (os.POSIX_SPAWN_DUP2, opened[0], 1),
            (os.POSIX_SPAWN_DUP2, opened[1], 2)], setpgroup=0, setsigdef=DEFAULT_SIGNALS, setsigmask=[])
    except (OSError, ValueError):
        report("N %s %s" % (jid, what))
        report("X %s 127" % jid)
        return
    finally:
        for fd in opened:
            os.close(fd)
    report("P %s %d" % (jid, pid))
    pidfd = os.pidfd_open(pid)
    jobs[pidfd] = (jid, pid)
    poller.register(pidfd, select.POLLIN)


def request(fields, pos):
    """The end of the complete request at fields[pos:], or -1 if more fields must come."""
    if pos >= len(fields):
        return -1
    op = fields[pos]
    if op == b"K":
        return pos + 3 if pos + 3 <= len(fields) else -1
    i = pos + 5   # op, id, dir, stdout, stderr
    for _ in range(3):
        if i >= len(fields):
            return -1
        i += 1 + int(fields[i])
    return i if i <= len(fields) else -1


def main():
    poller = select.poll()
    poller.register(0, select.POLLIN)
    jobs = {}
    pending = b""
    fields = []
    reading = True
    while reading or jobs:
        for fd, _ in poller.poll():
            if fd == 0:
                data = os.read(0, 65536)
                if not data:
                    reading = False
                    poller.unregister(0)
                    continue
                parts = (pending + data).split(b"\0")
                pending = parts.pop()
                fields.extend(parts)
                pos = 0
                while True:
                    end = request(fields, pos)
                    if end < 0:
                        break
                    if fields[pos] == b"K":
                        try:
                            os.killpg(int(fields[pos + 2]), signal.Signals["SIG" + fields[pos + 1].decode()])
                        except (OSError, KeyError, ValueError):
                            pass
                    else:
                        start(fields[pos + 1:end], jobs, poller)
                    pos = end
                del fields[:pos]
            elif fd in jobs:
                jid, pid = jobs.pop(fd)
                poller.unregister(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                report("X %s %d" % (jid, code if code >= 0 else 128 - code))


try:
    main()
except BrokenPipeError:
    pass
