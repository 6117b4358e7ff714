import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.regex.*;

// A {packet, 4} worker in Java that answers with DataOutputStream.writeUTF: a 2-byte length
// and modified UTF-8, where {packet, 4} wants a 4-byte length.
public class WriteUtf {
    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(System.out));
        Pattern idPattern = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
        while (true) {
            int length;
            try { length = in.readInt(); } catch (EOFException e) { return; }
            byte[] request = new byte[length];
            in.readFully(request);
            Matcher m = idPattern.matcher(new String(request, StandardCharsets.UTF_8));
            String id = m.find() ? m.group(1) : "null";
            out.writeUTF("{\"id\":" + id + ",\"success\":true,\"result\":{\"status\":\"ok\"}}");
            out.flush();
        }
    }
}
