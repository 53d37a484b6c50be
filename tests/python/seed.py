"""The seed's ctingress.on_complete sample payload (shared/seeds/003_…)."""

STREAM = {"EndNs": 1591844539983333333, "ProcessedAtNs": 0, "StartNs": 1591844350000000000}

PAYLOAD = {
    "DataSets": [
        {
            "Error": "",
            "Name": "/DFR 2/200610,230000000,-4t,R108-North Anna #1,APP601,Dominion,M1094.cfg",
            "Streams": [dict(STREAM, Uuid=uuid) for uuid in (
                "585cc764-3c80-5d3f-a7d7-59d48abbab0b", "ee614a71-803a-511e-bbb7-6fb84210228d",
                "6575e59b-e486-5630-8596-9ef657f65a99", "801674d5-d6eb-5031-84f6-8746dce0761c",
                "597f8584-2acb-5a92-85bd-0002733fb920")],
            "Success": True,
        },
        {
            "Error": "cfg format error",
            "Name": "/__MACOSX/DFR 2/._200610,230000000,-4t,R108-North Anna #1,APP601,"
                    "Dominion,M1094.cfg",
            "Streams": None,
            "Success": False,
        },
    ],
    "File": "comtrade_samples.zip",
    "RequestID": "0bbcacdb-e7aa-4e01-af88-9ba865ea32bd",
    "SubmittedAt": "2020-10-29T21:58:15.09246084Z",
}
