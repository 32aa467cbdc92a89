// DynamoDB Local listening on one address (loopback), started by local_aws/dynamodb_local.py.
//
// Usage: java -cp DynamoDBLocal.jar:<this class> LoopbackDynamoDBLocal <host> <DynamoDB Local's own options>
// DynamoDB Local has no bind-address option: its Jetty server listens on every interface, so anyone on the
// network could read and write the tables around the API's rules. This builds the server from the same
// options as DynamoDB Local's own main (ServerRunner), sets its one connector's host, and starts it.
// When its standard input is a listening socket (the runtime binds it, so the port is known, and kept, from
// the moment the JVM is spawned), the connector serves that socket instead of binding one of its own.
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import java.nio.channels.ServerSocketChannel;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public final class LoopbackDynamoDBLocal {
    public static void main(String[] args) throws Exception {
        String host = args[0];
        String[] options = Arrays.copyOfRange(args, 1, args.length);
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(options);
        // The Jetty server is private and has no setter; its connector's host is public API.
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        boolean inherited = System.inheritedChannel() instanceof ServerSocketChannel;
        for (Connector connector : server.getConnectors()) {
            ((ServerConnector) connector).setHost(host);
            ((ServerConnector) connector).setInheritChannel(inherited);
        }
        proxy.start();
    }
}
