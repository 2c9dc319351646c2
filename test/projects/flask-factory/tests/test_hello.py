def test_hello(client):
    assert client.get('/hello').data == b'Hello, World!'
