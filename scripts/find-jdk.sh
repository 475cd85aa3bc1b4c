# Sourced by ./blkdebug, ./test and the other project scripts.
# Sets JAVA_HOME to a JDK >= 21: $JAVA_HOME if it is new enough, else the newest
# under /usr/lib/jvm. Prints a clear error and returns 1 if there is none.

_bd_java_major() {  # prints the feature version of the JDK at $1, or nothing
  _bd_read_major "$1"
  echo "$_bd_major"
}

# Sets _bd_major to the feature version of the JDK at $1 (empty if none). Without a fork when the
# JDK has a release file: ./blkdebug runs this on every start (docs/performance.md, target 6).
_bd_read_major() {
  local rel="$1/release" v="" line
  _bd_major=""
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$rel" ]; then
    while IFS= read -r line; do
      case $line in
        JAVA_VERSION=\"[0-9]*) v=${line#JAVA_VERSION=\"}; v=${v%%[!0-9]*}; break ;;
      esac
    done < "$rel"
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9][0-9]*\).*/\1/p')
  fi
  [ "$v" = 1 ] && v=8
  _bd_major=$v
}

bd_find_jdk() {
  local want=21 best="" best_v=0 d v
  if [ -n "${JAVA_HOME:-}" ]; then
    _bd_read_major "$JAVA_HOME"; v=$_bd_major
    if [ -n "$v" ] && [ "$v" -ge "$want" ]; then export JAVA_HOME; BD_JAVA_MAJOR=$v; _bd_maven_opts "$v"; return 0; fi
  fi
  for d in /usr/lib/jvm/*; do
    [ -L "$d" ] && continue
    _bd_read_major "$d"; v=$_bd_major
    [ -n "$v" ] || continue
    if [ "$v" -ge "$want" ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "blkdebug: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, nothing suitable under /usr/lib/jvm)." >&2
    echo "blkdebug: install one (e.g. 'apt-get install openjdk-21-jdk-headless') or point JAVA_HOME at it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  BD_JAVA_MAJOR=$best_v
  _bd_maven_opts "$best_v"
}

# Maven 3.8's bundled Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run.
_bd_maven_opts() {
  if [ "$1" -ge 24 ]; then
    case " ${MAVEN_OPTS:-} " in
      *sun-misc-unsafe-memory-access*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}
