def test_pages(admin_client):
    for url in ["/communitywithgridsview/list/", "/gridview/list/", "/buildingview/list/",
                "/householdview/list/", "/residentview/list/", "/facilityview/list/",
                "/gridview/show/1", "/buildingview/show/1", "/householdview/show/1", "/residentview/show/1",
                "/residentview/add", "/residentview/edit/1", "/householdview/edit/1", "/buildingview/edit/1",
                "/gridview/edit/1", "/facilityview/edit/1", "/communitywithgridsview/show/1",
                "/lookup/building?grid=2&q=1"]:
        r = admin_client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.data[-2000:])
