using System.Net;
using System.Net.Sockets;

namespace ServerlessRyw.Sentinel.Tests.Infrastructure;

internal static class Loopback
{
    /// <summary>A 127.0.0.1 port nothing listens on right now (for a sentinel that is never there).</summary>
    public static int UnusedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
