using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;
using Tips.Bench.Seeding;

namespace Tips.Bench.Load;

/// <summary>
/// One keep-alive HTTP/1.1 connection, driven with blocking sends and receives by the one thread that owns it: a
/// closed-loop client. Such a client has one request open at a time, so a thread blocked on its answer is woken once
/// per answer. <see cref="LoadClient"/>'s async path hands every answer from the socket engine to the thread pool, and
/// at saturation that scheduling was most of the generator's CPU, taken from the two cores it measures (pgbench's own
/// client, in C, multiplexes its connections on a thread per core). It speaks what Kestrel answers: bodies by
/// <c>Content-Length</c> or chunked, <c>Connection: close</c> honoured; a request that fails leaves the connection
/// closed, and the next one opens another.
/// </summary>
internal sealed class BlockingHttpConnection(Uri baseAddress, TimeSpan timeout) : ITipsClient, IDisposable
{
    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> LineEnd => "\r\n"u8;

    private readonly string _host = baseAddress.Authority;
    private readonly DnsEndPoint _endPoint = new(baseAddress.Host, baseAddress.Port);
    private readonly int _timeoutMs = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
    private readonly byte[] _request = new byte[4096];
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private Socket? _socket;
    private bool _disposed;

    public ValueTask<Answer> GetTipsAsync(BenchUser user, CancellationToken cancellationToken) =>
        new(Send("GET", "/tips", user.Authorization, null, readBody: true));

    public ValueTask<Answer> PostFeedbackAsync(BenchUser user, Guid tipId, string action, long dwellMs, CancellationToken cancellationToken) =>
        new(Send("POST", $"/tips/{tipId}/feedback", user.Authorization, LoadClient.FeedbackJson(action, dwellMs), readBody: false));

    /// <summary>Sends one request and reads its whole answer (under the timeout, per receive) before it counts; the body
    /// is kept when <paramref name="readBody"/> or the answer is not a success, as <see cref="LoadClient"/> keeps it.</summary>
    public Answer Send(string method, string path, string? authorization, string? jsonBody, bool readBody)
    {
        try
        {
            var socket = _socket ??= Connect();
            socket.Send(_request.AsSpan(0, Encode(method, path, authorization, jsonBody)));
            return Read(readBody);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            Close();
            return new Answer(0, null, FailureKind.Timeout);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or InvalidDataException)
        {
            Close();
            return new Answer(0, null, FailureKind.Transport);
        }
    }

    private Socket Connect()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = _timeoutMs,
            SendTimeout = _timeoutMs,
        };
        try
        {
            socket.Connect(_endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private int Encode(string method, string path, string? authorization, string? jsonBody)
    {
        var body = jsonBody is null ? 0 : Encoding.UTF8.GetByteCount(jsonBody);
        var span = _request.AsSpan();
        var ok = authorization is null
            ? Utf8.TryWrite(span, $"{method} {path} HTTP/1.1\r\nHost: {_host}\r\n", out var written)
            : Utf8.TryWrite(span, $"{method} {path} HTTP/1.1\r\nHost: {_host}\r\nAuthorization: {authorization}\r\n", out written);
        if (ok && jsonBody is not null)
        {
            ok = Utf8.TryWrite(span[written..], $"Content-Type: application/json\r\nContent-Length: {body}\r\n\r\n{jsonBody}", out var rest);
            written += rest;
        }
        else if (ok)
        {
            ok = Utf8.TryWrite(span[written..], $"\r\n", out var rest);
            written += rest;
        }
        return ok ? written : throw new InvalidOperationException($"A request to {path} does not fit in {_request.Length} bytes.");
    }

    private Answer Read(bool readBody)
    {
        int headLength;
        while ((headLength = _buffer.AsSpan(_start, _end - _start).IndexOf(HeadEnd)) < 0)
        {
            Fill();
        }
        var head = _buffer.AsSpan(_start, headLength);
        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !head.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("Not an HTTP/1.1 status line.");
        }
        var (length, chunked, close) = Framing(head);
        _start += headLength + HeadEnd.Length;

        var keep = readBody || status is < 200 or >= 300;
        var body = chunked ? ReadChunked(keep) : ReadFixed(length, keep);
        if (close)
        {
            Close();
        }
        return new Answer(status, body, FailureKind.None);
    }

    /// <summary>The body's framing from the head's header lines: its length (0 without one: Kestrel sends a length or
    /// chunks for every answer that has a body), whether it is chunked, and whether the server closes.</summary>
    private static (int Length, bool Chunked, bool Close) Framing(ReadOnlySpan<byte> head)
    {
        var (length, chunked, close) = (0, false, false);
        var lines = head[(head.IndexOf(LineEnd) + LineEnd.Length)..];
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf(LineEnd);
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? [] : lines[(end + LineEnd.Length)..];
            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                continue;
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                length = Utf8Parser.TryParse(value, out int parsed, out var used) && used == value.Length && parsed >= 0
                    ? parsed
                    : throw new InvalidDataException("A bad Content-Length.");
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
        }
        return (length, chunked, close);
    }

    private byte[]? ReadFixed(int length, bool keep)
    {
        Need(length);
        var body = keep ? _buffer.AsSpan(_start, length).ToArray() : null;
        _start += length;
        return body;
    }

    private byte[]? ReadChunked(bool keep)
    {
        var body = keep ? new MemoryStream() : null;
        while (true)
        {
            var line = Line();
            var extension = line.IndexOf((byte)';');
            var sizeText = (extension < 0 ? line : line[..extension]).Trim((byte)' ');
            if (!Utf8Parser.TryParse(sizeText, out int size, out var used, 'x') || used != sizeText.Length || size < 0)
            {
                throw new InvalidDataException("A bad chunk size.");
            }
            _start += line.Length + LineEnd.Length;
            if (size == 0)
            {
                // Trailers, if any, up to the empty line.
                ReadOnlySpan<byte> trailer;
                while ((trailer = Line()).Length > 0)
                {
                    _start += trailer.Length + LineEnd.Length;
                }
                _start += LineEnd.Length;
                return body?.ToArray();
            }
            Need(size + LineEnd.Length);
            body?.Write(_buffer, _start, size);
            _start += size + LineEnd.Length;
        }
    }

    /// <summary>The next line, from where the answer is read, without its CRLF (received until it is whole).</summary>
    private ReadOnlySpan<byte> Line()
    {
        int end;
        while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf(LineEnd)) < 0)
        {
            Fill();
        }
        return _buffer.AsSpan(_start, end);
    }

    /// <summary>Receives until <paramref name="count"/> bytes from where the answer is read are in the buffer.</summary>
    private void Need(int count)
    {
        while (_end - _start < count)
        {
            Fill(count);
        }
    }

    /// <summary>One receive into the buffer, after moving what is still unread to its start when the buffer's end is
    /// reached or <paramref name="need"/> bytes from there would not fit, into a larger buffer when they would not fit
    /// at all.</summary>
    private void Fill(int need = 0)
    {
        if (_end == _buffer.Length || _start + need > _buffer.Length)
        {
            var unread = _end - _start;
            var target = Math.Max(need, unread + 1) > _buffer.Length ? new byte[Math.Max(_buffer.Length * 2, need)] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, unread);
            (_buffer, _start, _end) = (target, 0, unread);
        }
        var received = _socket!.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (received == 0)
        {
            throw new IOException("The server closed the connection before the answer was whole.");
        }
        _end += received;
    }

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
        (_start, _end) = (0, 0);
    }

    /// <summary>Closes the connection; a thread blocked on it returns a transport failure. Safe from another thread.</summary>
    public void Dispose()
    {
        _disposed = true;
        _socket?.Dispose();
    }
}
