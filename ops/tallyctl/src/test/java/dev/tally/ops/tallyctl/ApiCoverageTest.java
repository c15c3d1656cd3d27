package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.MeteringGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every RPC of the API has a tallyctl command: a new RPC fails here until COMMAND_OF_RPC names its command. */
class ApiCoverageTest {

  private static final List<ServiceDescriptor> SERVICES =
      List.of(MeteringGrpc.getServiceDescriptor(), AccountsGrpc.getServiceDescriptor());

  private static Set<String> rpcs() {
    return SERVICES.stream()
        .flatMap(service -> service.getMethods().stream())
        .map(MethodDescriptor::getFullMethodName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyRpcOfTheApiIsCalledByACommand() {
    Set<String> missing = new TreeSet<>(rpcs());
    missing.removeAll(Tallyctl.COMMAND_OF_RPC.keySet());

    assertEquals(Set.of(), missing, "RPCs without a tallyctl command (add one, and its line in Tallyctl.COMMAND_OF_RPC)");
  }

  @Test
  void everyServiceTheProtoFilesDeclareIsChecked() throws IOException {
    // Surefire runs in ops/tallyctl; the API's .proto files are in the repository's proto module.
    Path protos = Path.of("").toAbsolutePath().getParent().getParent().resolve("proto/src/main/protobuf/tally/v1");
    Set<String> declared = new TreeSet<>();
    try (Stream<Path> files = Files.list(protos)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".proto")).toList()) {
        Matcher service = Pattern.compile("(?m)^service (\\w+) \\{").matcher(Files.readString(file));
        while (service.find()) declared.add("tally.v1." + service.group(1));
      }
    }
    Set<String> checked = SERVICES.stream().map(ServiceDescriptor::getName).collect(Collectors.toCollection(TreeSet::new));

    assertTrue(declared.contains("tally.v1.Metering") && declared.contains("tally.v1.Accounts"), declared::toString);
    assertEquals(declared, checked, "a service of the API that this test does not check: add its *Grpc descriptor to SERVICES");
  }

  @Test
  void theTableNamesOnlyRpcsThatExistAndCommandsThatExist() {
    Set<String> commands = Tallyctl.COMMANDS.stream().map(Command::name).collect(Collectors.toSet());

    Set<String> stale = new TreeSet<>(Tallyctl.COMMAND_OF_RPC.keySet());
    stale.removeAll(rpcs());
    assertEquals(Set.of(), stale, "entries for RPCs the API does not have");
    Tallyctl.COMMAND_OF_RPC.forEach((rpc, command) ->
        assertTrue(commands.contains(command), rpc + " is mapped to " + command + ", which is no tallyctl command"));
  }
}
