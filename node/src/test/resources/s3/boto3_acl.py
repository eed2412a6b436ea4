"""ACLs and anonymous access through boto3: canned ACLs on buckets and objects, AccessControlPolicy documents,
anonymous reads, lists and writes (botocore UNSIGNED), and a key without permissions reading an
authenticated-read bucket. Arguments: endpoint bucket-prefix root-key root-secret other-key other-secret.
Prints ALL OK at the end; any failed check raises."""
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, prefix, key, secret, other_key, other_secret = sys.argv[1:7]
cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})


def client(k=None, s=None):
    if k is None:
        return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                            config=cfg.merge(Config(signature_version=UNSIGNED)))
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=k,
                        aws_secret_access_key=s, config=cfg)


def refused(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, "expected %s, got %s: %s" % (code, got, e)
        return e
    raise AssertionError("expected %s from %s" % (code, fn.__name__))


def groups(acl):
    return sorted((g["Grantee"].get("URI", g["Grantee"].get("ID")).rsplit("/", 1)[-1], g["Permission"])
                  for g in acl["Grants"])


root, anon, other = client(key, secret), client(), client(other_key, other_secret)
ALL = "http://acs.amazonaws.com/groups/global/AllUsers"

# A public-read bucket: anyone lists it; its private objects stay private, a public-read object is readable.
pub = prefix + "-pub"
root.create_bucket(Bucket=pub, ACL="public-read")
acl = root.get_bucket_acl(Bucket=pub)
assert groups(acl) == sorted([(root.get_bucket_acl(Bucket=pub)["Owner"]["ID"], "FULL_CONTROL"),
                              ("AllUsers", "READ")]), acl
root.put_object(Bucket=pub, Key="private.txt", Body=b"secret")
root.put_object(Bucket=pub, Key="open.txt", Body=b"hello world", ACL="public-read")
listed = [o["Key"] for o in anon.list_objects(Bucket=pub)["Contents"]]
assert listed == ["open.txt", "private.txt"], listed
assert [o["Key"] for o in anon.list_objects_v2(Bucket=pub)["Contents"]] == listed
assert anon.get_object(Bucket=pub, Key="open.txt")["Body"].read() == b"hello world"
assert anon.head_object(Bucket=pub, Key="open.txt")["ContentLength"] == 11
refused("AccessDenied", anon.get_object, Bucket=pub, Key="private.txt")
refused("AccessDenied", anon.put_object, Bucket=pub, Key="nope.txt", Body=b"x")
assert groups(root.get_object_acl(Bucket=pub, Key="open.txt"))[0] == ("AllUsers", "READ")
assert len(root.get_object_acl(Bucket=pub, Key="private.txt")["Grants"]) == 1

# PutObjectAcl: canned, then a document; private again closes it.
root.put_object_acl(Bucket=pub, Key="private.txt", ACL="public-read")
assert anon.get_object(Bucket=pub, Key="private.txt")["Body"].read() == b"secret"
owner = root.get_object_acl(Bucket=pub, Key="private.txt")["Owner"]
root.put_object_acl(Bucket=pub, Key="private.txt", AccessControlPolicy={"Owner": owner, "Grants": [
    {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"}]})
refused("AccessDenied", anon.get_object, Bucket=pub, Key="private.txt")
# A grant to one key by its id: that key reads it (and, without READ_ACP, not its ACL), anonymous does not.
refused("AccessDenied", other.get_object, Bucket=pub, Key="private.txt")
root.put_object_acl(Bucket=pub, Key="private.txt", AccessControlPolicy={
    "Owner": owner, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": other_key}, "Permission": "READ"}]})
assert (other_key, "READ") in groups(root.get_object_acl(Bucket=pub, Key="private.txt"))
assert other.get_object(Bucket=pub, Key="private.txt")["Body"].read() == b"secret"
assert other.head_object(Bucket=pub, Key="private.txt")["ContentLength"] == 6
refused("AccessDenied", other.get_object_acl, Bucket=pub, Key="private.txt")
refused("AccessDenied", anon.get_object, Bucket=pub, Key="private.txt")
root.put_object_acl(Bucket=pub, Key="private.txt", ACL="private")
refused("AccessDenied", other.get_object, Bucket=pub, Key="private.txt")
# A new body starts private, as on S3.
root.put_object(Bucket=pub, Key="open.txt", Body=b"replaced")
refused("AccessDenied", anon.get_object, Bucket=pub, Key="open.txt")

# public-read-write through an AccessControlPolicy document: anonymous writes and deletes.
rw = prefix + "-rw"
root.create_bucket(Bucket=rw)
refused("AccessDenied", anon.list_objects, Bucket=rw)
bucket_owner = root.get_bucket_acl(Bucket=rw)["Owner"]
root.put_bucket_acl(Bucket=rw, AccessControlPolicy={"Owner": bucket_owner, "Grants": [
    {"Grantee": {"Type": "Group", "URI": ALL}, "Permission": "READ"},
    {"Grantee": {"Type": "Group", "URI": ALL}, "Permission": "WRITE"}]})
assert groups(root.get_bucket_acl(Bucket=rw)) == sorted([(bucket_owner["ID"], "FULL_CONTROL"), ("AllUsers", "READ"),
                                                          ("AllUsers", "WRITE")])
anon.put_object(Bucket=rw, Key="dropped.bin", Body=b"\x00\x01anonymous")
assert root.get_object(Bucket=rw, Key="dropped.bin")["Body"].read() == b"\x00\x01anonymous"
anon.delete_object(Bucket=rw, Key="dropped.bin")
assert "Contents" not in root.list_objects(Bucket=rw)
refused("AccessDenied", anon.put_bucket_acl, Bucket=rw, ACL="private")
root.put_bucket_acl(Bucket=rw, ACL="private")
refused("AccessDenied", anon.put_object, Bucket=rw, Key="late.bin", Body=b"x")

# authenticated-read: any key of the cluster lists, anonymous does not; a grant to one key by its id.
auth = prefix + "-auth"
root.create_bucket(Bucket=auth, ACL="authenticated-read")
refused("AccessDenied", other.put_object, Bucket=auth, Key="x", Body=b"x")
assert "Contents" not in other.list_objects(Bucket=auth)
refused("AccessDenied", anon.list_objects, Bucket=auth)
root.put_bucket_acl(Bucket=auth, GrantWrite='id="%s"' % other_key)
other.put_object(Bucket=auth, Key="by-other.txt", Body=b"granted")
refused("AccessDenied", other.list_objects, Bucket=auth)

# Public Access Block through boto3.
root.put_public_access_block(Bucket=pub, PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
conf = root.get_public_access_block(Bucket=pub)["PublicAccessBlockConfiguration"]
assert conf == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
                "RestrictPublicBuckets": False}, conf
refused("AccessDenied", anon.list_objects, Bucket=pub)
refused("AccessDenied", root.put_bucket_acl, Bucket=pub, ACL="public-read")
root.delete_public_access_block(Bucket=pub)
refused("NoSuchPublicAccessBlockConfiguration", root.get_public_access_block, Bucket=pub)
assert [o["Key"] for o in anon.list_objects(Bucket=pub)["Contents"]] == ["open.txt", "private.txt"]

# A bucket policy through boto3: anonymous reads of one prefix, refused for the rest; a malformed one named.
import json
pol = prefix + "-policy"
root.create_bucket(Bucket=pol)
root.put_object(Bucket=pol, Key="public/a.txt", Body=b"by policy")
root.put_object(Bucket=pol, Key="private/b.txt", Body=b"not by policy")
doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "PublicPrefix", "Effect": "Allow", "Principal": "*",
                  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/public/*" % pol}]})
root.put_bucket_policy(Bucket=pol, Policy=doc)
assert json.loads(root.get_bucket_policy(Bucket=pol)["Policy"]) == json.loads(doc)
assert root.get_bucket_policy_status(Bucket=pol)["PolicyStatus"]["IsPublic"] is True
assert anon.get_object(Bucket=pol, Key="public/a.txt")["Body"].read() == b"by policy"
refused("AccessDenied", anon.get_object, Bucket=pol, Key="private/b.txt")
e = refused("MalformedPolicy", root.put_bucket_policy, Bucket=pol, Policy='{"Statement": [{"Effect": "Allow"}]}')
assert "Principal" in str(e), e
root.delete_bucket_policy(Bucket=pol)
refused("NoSuchBucketPolicy", root.get_bucket_policy, Bucket=pol)
refused("AccessDenied", anon.get_object, Bucket=pol, Key="public/a.txt")

# Browser form uploads (POST Object) with boto3's presigned posts, SigV4 and Version 2, sent by urllib3.
import urllib3
http = urllib3.PoolManager()
form = prefix + "-form"
root.create_bucket(Bucket=form)
for version in ("s3v4", "s3"):
    signer = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                          aws_secret_access_key=secret, config=cfg.merge(Config(signature_version=version)))
    post = signer.generate_presigned_post(form, "up/" + version + "/${filename}", Fields={"acl": "public-read"},
                                          Conditions=[{"acl": "public-read"}, ["content-length-range", 1, 4096]],
                                          ExpiresIn=300)
    data = bytes(range(256)) * 4
    resp = http.request("POST", post["url"], fields=list(post["fields"].items()) + [("file", ("f.bin", data, "application/x-test"))])
    assert resp.status == 204, (version, resp.status, resp.data)
    got = anon.get_object(Bucket=form, Key="up/%s/f.bin" % version)
    assert got["Body"].read() == data and got["ContentType"] == "application/x-test", version
    # the policy's conditions hold: too large, another acl, an extra field
    resp = http.request("POST", post["url"], fields=list(post["fields"].items()) + [("file", ("big.bin", b"x" * 5000))])
    assert resp.status == 400 and b"EntityTooLarge" in resp.data, resp.data
    bad = dict(post["fields"], acl="private")
    resp = http.request("POST", post["url"], fields=list(bad.items()) + [("file", ("f.bin", b"x"))])
    assert resp.status == 403 and b"Policy Condition failed" in resp.data and b"acl" in resp.data, resp.data
    resp = http.request("POST", post["url"], fields=list(post["fields"].items()) + [("x-amz-meta-extra", "1"), ("file", ("f.bin", b"x"))])
    assert resp.status == 403 and b"Extra input fields: x-amz-meta-extra" in resp.data, resp.data
    forged = dict(post["fields"])
    forged["x-amz-signature" if version == "s3v4" else "signature"] = "AAAA" + forged.get("x-amz-signature", forged.get("signature"))[4:]
    resp = http.request("POST", post["url"], fields=list(forged.items()) + [("file", ("f.bin", b"x"))])
    assert resp.status == 403 and b"SignatureDoesNotMatch" in resp.data, resp.data
resp = http.request("POST", endpoint + "/" + form, fields=[("key", "anon.txt"), ("file", ("a.txt", b"a"))])
assert resp.status == 403 and b"AccessDenied" in resp.data, resp.data

# An authenticated-read object: any key of the cluster reads it, anonymous does not.
root.put_object(Bucket=auth, Key="members.txt", Body=b"members", ACL="authenticated-read")
assert other.get_object(Bucket=auth, Key="members.txt")["Body"].read() == b"members"
refused("AccessDenied", anon.get_object, Bucket=auth, Key="members.txt")
assert ("AuthenticatedUsers", "READ") in groups(root.get_object_acl(Bucket=auth, Key="members.txt"))

# What is not supported says so.
refused("NotImplemented", root.create_bucket, Bucket=prefix + "-log", ACL="log-delivery-write")
refused("NotImplemented", root.put_object_acl, Bucket=auth, Key="members.txt",
        GrantRead='emailAddress="someone@example.com"')
refused("NotImplemented", root.create_multipart_upload, Bucket=auth, Key="m", ACL="authenticated-read")
refused("InvalidArgument", root.put_bucket_acl, Bucket=auth, ACL="world-readable")
print("ALL OK")
