def test_landing_page_renders_for_visitors(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Prep" in response.content
