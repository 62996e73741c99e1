using System.Net;
using System.Net.Sockets;

namespace ServerlessRyw.LocalRedis;

/// <summary>Picks a TCP port on 127.0.0.1 that is free right now.</summary>
internal static class FreePort
{
    /// <remarks>
    /// The port is released before the caller binds it, so another process can take it in between:
    /// callers must be ready to retry with a fresh port.
    /// </remarks>
    public static int Pick()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
