package dev.hubcast.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@code uws} baseline: uWebSockets.js on Node.js, a script ({@code server.js}, with its {@code
 * package.json} and {@code package-lock.json}) that ships inside this jar (from {@code
 * hub-bench/src/main/node/uws}) and is installed with {@code npm ci} into a cache directory named
 * after its content the first time it is needed. The sweep starts it as {@code node --expose-gc
 * server.js --port P}, pinned like the JVM servers ({@code taskset} execs {@code node}, so the
 * process the sweep holds is {@code node} itself); it speaks the same {@code READY} and {@code
 * stats} protocol as the {@code server} command.
 *
 * <p>Stateless; {@link #install} may be called by several processes at once (each installs into a
 * directory of its own and moves it into place).
 */
final class UwsServer {
  /** The npm package and version: uWebSockets.js v20.30.0, which has binaries for Node 16-20. */
  static final String PACKAGE = "@trufflesuite/uws-js-unofficial";

  static final String VERSION = "20.30.0-unofficial.0";

  /** Where the files are in the jar, and where they come from in the source tree. */
  static final String RESOURCES = "/dev/hubcast/bench/uws/";

  static final String SOURCE = "hub-bench/src/main/node/uws";

  private static final List<String> FILES =
      List.of("server.js", "package.json", "package-lock.json");

  /** The file that says an install is complete. */
  private static final String INSTALLED = ".installed";

  private UwsServer() {}

  /**
   * {@code node} and {@code npm} as found on a {@code PATH}.
   *
   * @param npm null where it is not there (enough when the package is installed already)
   */
  record Node(Path node, Path npm, String path) {

    /** {@code node} and {@code npm} on {@code path} (a {@code PATH} value); null without node. */
    static Node find(String path) {
      Path node = which("node", path);
      return node == null ? null : new Node(node, which("npm", path), path);
    }
  }

  /** The executable {@code name} in a directory of {@code path}, or null. */
  static Path which(String name, String path) {
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p.toAbsolutePath();
      }
    }
    return null;
  }

  /**
   * Why {@code uws} cannot run with this {@code PATH} (a line for the sweep's log, starting {@code
   * uws skipped: }), or null when it can.
   */
  static String missing(String path) {
    Node node = Node.find(path);
    if (node == null) {
      return "uws skipped: node not found on PATH";
    }
    if (node.npm() == null && !Files.exists(directory(cache()).resolve(INSTALLED))) {
      return "uws skipped: npm not found on PATH (needed once, to install " + PACKAGE + ")";
    }
    return null;
  }

  /**
   * The cache that holds the installs: {@code -Dhubcast.bench.cache}, else {@code
   * $XDG_CACHE_HOME/hubcast-bench}, else {@code ~/.cache/hubcast-bench}.
   */
  static Path cache() {
    String own = System.getProperty("hubcast.bench.cache");
    if (own != null && !own.isBlank()) {
      return Path.of(own);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "hubcast-bench");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "hubcast-bench");
  }

  /** The install directory of this jar's script in {@code cache}: {@code uws-} and its hash. */
  static Path directory(Path cache) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String f : FILES) {
        sha.update(resource(f));
      }
      return cache.resolve("uws-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16));
    } catch (Exception e) {
      throw new IllegalStateException("uws: cannot read the script from the jar: " + e, e);
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = UwsServer.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IOException(RESOURCES + name + " is not in the jar");
      }
      return in.readAllBytes();
    }
  }

  /**
   * The directory with {@code server.js} and its {@code node_modules}, installed with {@code npm
   * ci} into {@link #cache()} unless it is there already; {@code npm}'s output goes to {@code
   * npm-ci.log} in it.
   *
   * @throws IllegalStateException when {@code npm ci} fails or takes over 5 minutes
   */
  static Path install(Node node) throws Exception {
    Path dir = directory(cache());
    if (Files.exists(dir.resolve(INSTALLED))) {
      return dir;
    }
    if (node.npm() == null) {
      throw new IllegalStateException("uws: npm not found on PATH, needed to install " + PACKAGE);
    }
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".tmp-");
    try {
      for (String f : FILES) {
        Files.write(tmp.resolve(f), resource(f));
      }
      Path log = tmp.resolve("npm-ci.log");
      ProcessBuilder pb =
          new ProcessBuilder(
                  node.npm().toString(),
                  "ci",
                  "--no-audit",
                  "--no-fund",
                  "--ignore-scripts", // the addon is prebuilt; only the JS fallback has scripts
                  "--omit=dev")
              .directory(tmp.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      // npm runs under "#!/usr/bin/env node": the node of the same PATH.
      pb.environment().put("PATH", node.path());
      Process npm = pb.start();
      if (!npm.waitFor(5, TimeUnit.MINUTES)) {
        npm.destroyForcibly();
        throw new IllegalStateException("uws: npm ci took over 5 minutes; see " + log);
      }
      if (npm.exitValue() != 0) {
        throw new IllegalStateException(
            "uws: npm ci failed (exit " + npm.exitValue() + "): " + tail(log) + "; see " + log);
      }
      Files.writeString(tmp.resolve(INSTALLED), PACKAGE + "@" + VERSION + "\n");
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        // another process installed it meanwhile
      } catch (IOException e) {
        if (!Files.exists(dir.resolve(INSTALLED))) {
          throw e;
        }
      }
      if (!Files.exists(dir.resolve(INSTALLED))) {
        throw new IllegalStateException("uws: could not move the install into " + dir);
      }
      return dir;
    } finally {
      deleteTree(tmp);
    }
  }

  /** {@code node --version}, e.g. {@code v20.20.2}, or "?". */
  static String nodeVersion(Node node) {
    try {
      Process p = new ProcessBuilder(node.node().toString(), "--version").start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      return p.waitFor() == 0 ? v : "?";
    } catch (Exception e) {
      return "?";
    }
  }

  /** The command that runs the server installed in {@code dir}, with {@code args}. */
  static List<String> command(Node node, Path dir, List<String> args) {
    List<String> c = new ArrayList<>();
    c.add(node.node().toString());
    c.add("--expose-gc");
    c.add(dir.resolve("server.js").toString());
    c.addAll(args);
    return c;
  }

  /** The same command as the report shows it, with the script where it is in the source tree. */
  static String display(List<String> args) {
    return "node --expose-gc " + SOURCE + "/server.js " + String.join(" ", args);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
