import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.regex.*;

// A JSON-RPC worker in Content-Length frames, in Java, writing its header and body with
// System.out.print: the header counts String.length() (UTF-16 units), not bytes.
public class LspLength {
    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
        Pattern idPattern = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
        while (true) {
            int length = -1;
            String header;
            while ((header = readHeaderLine(in)) != null && !header.isEmpty()) {
                if (header.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(header.substring(15).trim());
            }
            if (header == null) return;
            byte[] body = new byte[length];
            in.readFully(body);
            Matcher m = idPattern.matcher(new String(body, StandardCharsets.UTF_8));
            String id = m.find() ? m.group(1) : "null";
            String answer = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"greeting\":\"grüße, ça va\"}}";
            System.out.print("Content-Length: " + answer.length() + "\r\n\r\n" + answer);
            System.out.flush();
        }
    }

    static String readHeaderLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') return line.toString().replace("\r", "");
            line.append((char) c);
        }
        return null;
    }
}
